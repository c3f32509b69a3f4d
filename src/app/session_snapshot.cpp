// Session snapshots (see session_snapshot.h). Sections:
//   - dataset bytes: encode / decode with every count checked first
//   - snapshot JSON: curves, settings, models, the training checkpoint
//   - restore: parse and check everything, then change the session
#include "app/session_snapshot.h"

#include <cmath>
#include <cstring>
#include <functional>

#include "app/actions.h"
#include "app/app.h"
#include "app/jobs/resume_point.h"
#include "app/options_json.h"
#include "engine/core/error.h"
#include "engine/data/data_limits.h"
#include "engine/io/json_text.h"
#include "engine/io/model_json.h"
#include "engine/train/checkpoint.h"

namespace distillery {

// --- dataset bytes ----------------------------------------------------------------------

namespace {

constexpr char kDatasetMagic[8] = {'D', 'S', 'T', 'L', 'D', 'A', 'T', 'A'};
constexpr uint32_t kDatasetVersion = 1;

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Reads little-endian fields, refusing to read past the end.
class ByteReader {
 public:
  explicit ByteReader(const std::vector<uint8_t>& bytes) : bytes_(bytes) {}
  uint32_t u32(const char* what) {
    need(4, what);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(bytes_[pos_ + i]) << (8 * i);
    pos_ += 4;
    return v;
  }
  const uint8_t* take(uint64_t n, const char* what) {
    need(n, what);
    const uint8_t* p = bytes_.data() + pos_;
    pos_ += static_cast<size_t>(n);
    return p;
  }
  uint64_t left() const { return bytes_.size() - pos_; }

 private:
  void need(uint64_t n, const char* what) {
    require(n <= left(), std::string("saved dataset: cut short in the ") + what);
  }
  const std::vector<uint8_t>& bytes_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<uint8_t> encode_dataset_bytes(const Dataset& d) {
  std::vector<uint8_t> out(kDatasetMagic, kDatasetMagic + 8);
  put_u32(out, kDatasetVersion);
  for (int v : {d.height, d.width, d.channels, d.size(), d.num_classes()}) put_u32(out, static_cast<uint32_t>(v));
  for (const std::string& name : d.class_names) {
    put_u32(out, static_cast<uint32_t>(name.size()));
    out.insert(out.end(), name.begin(), name.end());
  }
  out.reserve(out.size() + d.labels.size() * 4 + d.pixels.size());
  for (int label : d.labels) put_u32(out, static_cast<uint32_t>(label));
  out.insert(out.end(), d.pixels.begin(), d.pixels.end());
  return out;
}

Dataset decode_dataset_bytes(const std::vector<uint8_t>& bytes) {
  ByteReader in(bytes);
  require(std::memcmp(in.take(8, "header"), kDatasetMagic, 8) == 0, "saved dataset: not a saved Distillery dataset");
  require(in.u32("header") == kDatasetVersion, "saved dataset: unknown version");
  const DataLimits limits;
  Dataset d;
  const uint32_t height = in.u32("shape"), width = in.u32("shape"), channels = in.u32("shape");
  const uint32_t count = in.u32("shape"), classes = in.u32("shape");
  require(height >= 1 && width >= 1 && height <= uint32_t(limits.max_image_side) &&
              width <= uint32_t(limits.max_image_side) && (channels == 1 || channels == 3),
          "saved dataset: impossible image shape");
  require(classes >= 1 && classes <= count, "saved dataset: impossible class count");
  // Counts against the bytes present, before allocating anything they size.
  const uint64_t pixels = uint64_t(count) * height * width * channels;
  require(pixels <= uint64_t(limits.max_dataset_bytes), "saved dataset: over the dataset size limit");
  require(uint64_t(classes) * 4 + uint64_t(count) * 4 + pixels <= in.left(), "saved dataset: cut short");
  d.height = static_cast<int>(height);
  d.width = static_cast<int>(width);
  d.channels = static_cast<int>(channels);
  for (uint32_t k = 0; k < classes; ++k) {
    const uint32_t length = in.u32("class names");
    const uint8_t* name = in.take(length, "class names");
    d.class_names.emplace_back(reinterpret_cast<const char*>(name), length);
  }
  d.labels.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t label = in.u32("labels");
    require(label < classes, "saved dataset: a label beyond the classes");
    d.labels[i] = static_cast<int>(label);
  }
  const uint8_t* p = in.take(pixels, "pixels");
  d.pixels.assign(p, p + pixels);
  require(in.left() == 0, "saved dataset: bytes after the pixels");
  return d;
}

bool dataset_fits_snapshot(const Dataset& data) {
  return static_cast<int64_t>(data.pixels.size()) + 4 * static_cast<int64_t>(data.labels.size()) <=
         kMaxSavedDatasetBytes;
}

// --- snapshot JSON ------------------------------------------------------------------------

namespace {

nlohmann::json number_or_null(float v) { return v == v ? nlohmann::json(v) : nlohmann::json(nullptr); }
float number_from(const nlohmann::json& v) { return v.is_number() ? v.get<float>() : std::nanf(""); }

nlohmann::json curves_json(const TrainingCurves& c) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const EpochReport& r : c.epochs)
    epochs.push_back({r.epoch, r.epochs, number_or_null(r.train_loss), number_or_null(r.train_accuracy),
                      number_or_null(r.val_loss), number_or_null(r.val_accuracy), r.seconds, r.samples_per_second});
  nlohmann::json loss = nlohmann::json::array(), accuracy = nlohmann::json::array();
  for (float v : c.batch_loss) loss.push_back(number_or_null(v));
  for (float v : c.batch_accuracy) accuracy.push_back(number_or_null(v));
  return {{"title", c.title},       {"batch_epoch", c.batch_epoch}, {"batch_loss", loss},
          {"batch_accuracy", accuracy}, {"epochs", epochs},          {"teacher_val_accuracy", c.teacher_val_accuracy}};
}

TrainingCurves curves_from(const nlohmann::json& j) {
  require(j.is_object(), "the saved curves are not an object");
  TrainingCurves c;
  try {
    c.title = j.at("title").get<std::string>();
    c.batch_epoch = j.at("batch_epoch").get<std::vector<float>>();
    for (const auto& v : j.at("batch_loss")) c.batch_loss.push_back(number_from(v));
    for (const auto& v : j.at("batch_accuracy")) c.batch_accuracy.push_back(number_from(v));
    for (const auto& e : j.at("epochs")) {
      require(e.is_array() && e.size() == 8, "the saved curves hold a broken epoch");
      c.epochs.push_back({e[0].get<int>(), e[1].get<int>(), number_from(e[2]), number_from(e[3]), number_from(e[4]),
                          number_from(e[5]), e[6].get<double>(), e[7].get<double>()});
    }
    c.teacher_val_accuracy = j.at("teacher_val_accuracy").get<float>();
  } catch (const nlohmann::json::exception&) {
    throw Error("the saved curves are broken");
  }
  require(c.batch_loss.size() == c.batch_epoch.size() && c.batch_accuracy.size() == c.batch_epoch.size(),
          "the saved curves are broken");
  return c;
}

nlohmann::json settings_json(const App& app) {
  return {{"teacher", train_options_to_json(app.teacher_panel.train)},
          {"teacherArch", app.teacher_panel.arch.spec()},
          {"studentArch", app.student_panel.arch.spec()},
          {"distill", distill_options_to_json(app.distil_panel.options)},
          {"prune", prune_options_to_json(app.prune_panel.options)},
          {"panel", panel_title(app.selected)}};
}

}  // namespace

nlohmann::json session_snapshot_json(const App& app) {
  const Session& s = app.session;
  const ModelJsonOptions exact{"base64", -1};
  nlohmann::json j = {{"format", "distillery-session"}, {"version", 1}};
  j["split"] = {{"val_fraction", s.split_settings.val_fraction},
                {"test_fraction", s.split_settings.test_fraction},
                {"seed", s.split_settings.seed}};
  j["dataset"] = nullptr;
  if (s.dataset)
    j["dataset"] = {{"source", s.dataset_source},
                    {"count", s.dataset->size()},
                    {"classes", s.dataset->class_names},
                    {"shape", s.dataset->sample_shape().dims},
                    {"bytes", s.dataset->pixels.size() + 4 * s.dataset->labels.size()},
                    {"stored", dataset_fits_snapshot(*s.dataset)}};
  j["teacher"] = s.teacher ? nlohmann::json({{"source", s.teacher_source}, {"model", save_model_json(*s.teacher, exact)}})
                           : nlohmann::json(nullptr);
  j["student"] = nullptr;
  if (s.student)
    j["student"] = {{"recipe",
                     {{"arch", s.student_recipe.arch},
                      {"method", s.student_recipe.method},
                      {"temperature", s.student_recipe.temperature},
                      {"alpha", s.student_recipe.alpha},
                      {"sparsity", s.student_recipe.sparsity}}},
                    {"model", save_model_json(*s.student, exact)}};
  j["curves"] = curves_json(s.curves);
  j["baseline_curves"] = curves_json(s.baseline_curves);
  j["comparison"] = s.comparison ? nlohmann::json({{"distilled_accuracy", s.comparison->distilled_accuracy},
                                                   {"alone_accuracy", s.comparison->alone_accuracy}})
                                 : nlohmann::json(nullptr);
  j["settings"] = settings_json(app);
  j["training"] = nullptr;
  if (const auto point = app.worker.resume_point())
    j["training"] = {{"kind", job_kind_name(point->kind)},
                     {"options", point->options},
                     {"epochs_done", point->epochs_done},
                     {"epochs", point->epochs_total},
                     {"checkpoint", point->checkpoint ? checkpoint_to_json(*point->checkpoint) : nlohmann::json(nullptr)},
                     {"state", point->job_state},
                     {"curves", curves_json(point->curves)}};
  return j;
}

std::string session_revision(const App& app) {
  const Session& s = app.session;
  const auto point = app.worker.resume_point();
  const size_t settings = std::hash<std::string>()(settings_json(app).dump());
  return "d" + std::to_string(s.dataset_version) + ":t" + std::to_string(s.teacher_version) + ":s" +
         std::to_string(s.student_version) + ":c" +
         (point ? std::to_string(app.worker.current_id()) + "/" + std::to_string(point->epochs_done) : "-") +
         ":h" + std::to_string(settings);
}

// --- restore ------------------------------------------------------------------------------

namespace {

std::shared_ptr<Model> saved_model(const nlohmann::json& part, const std::string& role) {
  require(part.is_object() && part.contains("model") && part["model"].is_string(),
          "the saved session's " + role + " is broken");
  try {
    return std::make_shared<Model>(load_model_json(part["model"].get<std::string>()));
  } catch (const Error& e) {
    throw Error("the saved session's " + role + ": " + e.what());
  }
}

template <typename T>
T value_of(const nlohmann::json& j, const char* key, const std::string& what) {
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error("the saved session's " + what + " is broken ('" + key + "')");
  }
}

}  // namespace

nlohmann::json restore_session(App& app, const std::string& snapshot_text, const std::vector<uint8_t>* dataset_bytes,
                               bool resume) {
  require(!app.worker.busy(), "\"" + app.worker.current_title() + "\" is still running: stop it before restoring");
  const nlohmann::json j = parse_json_text(snapshot_text, "the saved session");
  require(j.is_object() && j.value("format", std::string()) == "distillery-session",
          "the saved session is not a Distillery session");
  require(j.value("version", 0) == 1, "the saved session has an unknown version");

  // 1. Parse and check every part into temporaries.
  SplitSettings split;
  const nlohmann::json& split_json = j.at("split");
  split.val_fraction = value_of<float>(split_json, "val_fraction", "split");
  split.test_fraction = value_of<float>(split_json, "test_fraction", "split");
  split.seed = value_of<uint64_t>(split_json, "seed", "split");
  require(split.val_fraction >= 0 && split.test_fraction >= 0 && split.val_fraction + split.test_fraction < 1,
          "the saved session's split is impossible");

  std::shared_ptr<const Dataset> data;
  std::string data_source;
  const nlohmann::json& data_json = j.at("dataset");
  if (data_json.is_object() && value_of<bool>(data_json, "stored", "dataset")) {
    require(dataset_bytes != nullptr && !dataset_bytes->empty(), "the saved session's dataset bytes are missing");
    auto decoded = std::make_shared<Dataset>(decode_dataset_bytes(*dataset_bytes));
    require(decoded->size() == value_of<int>(data_json, "count", "dataset") &&
                decoded->class_names == value_of<std::vector<std::string>>(data_json, "classes", "dataset"),
            "the saved dataset does not match the saved session");
    data = std::move(decoded);
    data_source = value_of<std::string>(data_json, "source", "dataset");
  }
  const bool data_kept = data != nullptr;
  if (!data) data = app.session.dataset;  // too big to keep: the one loaded now stays

  std::shared_ptr<Model> teacher, student;
  std::string teacher_source;
  StudentRecipe recipe;
  if (!j.at("teacher").is_null()) {
    teacher = saved_model(j["teacher"], "teacher");
    teacher_source = value_of<std::string>(j["teacher"], "source", "teacher");
  }
  if (!j.at("student").is_null()) {
    student = saved_model(j["student"], "student");
    const nlohmann::json& r = j["student"].at("recipe");
    recipe.arch = value_of<std::string>(r, "arch", "student recipe");
    recipe.method = value_of<std::string>(r, "method", "student recipe");
    recipe.temperature = value_of<float>(r, "temperature", "student recipe");
    recipe.alpha = value_of<float>(r, "alpha", "student recipe");
    recipe.sparsity = value_of<float>(r, "sparsity", "student recipe");
  }
  if (data) {
    for (const auto& [model, role] : {std::pair{teacher, "teacher"}, std::pair{student, "student"}}) {
      if (!model) continue;
      const std::string why = model_data_mismatch(*model, *data, role);
      require(why.empty(), "the saved session's " + std::string(role) + " does not fit the dataset: " + why +
                               (data_kept ? "" : " (the saved dataset was too big to keep: load it again first)"));
    }
  }
  const TrainingCurves curves = curves_from(j.at("curves"));
  // Sessions saved before baselines existed have neither of these.
  const TrainingCurves baseline_curves = j.contains("baseline_curves") ? curves_from(j["baseline_curves"]) : TrainingCurves{};
  std::optional<BaselineComparison> comparison;
  if (j.contains("comparison") && !j["comparison"].is_null())
    comparison = BaselineComparison{value_of<double>(j["comparison"], "distilled_accuracy", "comparison"),
                                    value_of<double>(j["comparison"], "alone_accuracy", "comparison")};

  const nlohmann::json& settings = j.at("settings");
  const TrainOptions teacher_options = train_options_from_json(settings.at("teacher"));
  const DistillOptions distill_options = distill_options_from_json(settings.at("distill"));
  const PruneOptions prune_options = prune_options_from_json(settings.at("prune"));
  const std::string teacher_arch = value_of<std::string>(settings, "teacherArch", "settings");
  const std::string student_arch = value_of<std::string>(settings, "studentArch", "settings");
  const std::string panel = value_of<std::string>(settings, "panel", "settings");

  std::shared_ptr<ResumePoint> point;
  if (resume && !j.at("training").is_null()) {
    const nlohmann::json& t = j["training"];
    point = std::make_shared<ResumePoint>();
    const std::string kind = value_of<std::string>(t, "kind", "training");
    require(job_kind_names().contains(kind), "the saved session's training is of no known kind");
    point->kind = job_kind_from_name(kind);
    require(point->kind == JobKind::kDistill || point->kind == JobKind::kTrainTeacher ||
                point->kind == JobKind::kPrune,
            "the saved session's training is of no known kind");
    point->options = t.at("options");
    point->epochs_done = value_of<int>(t, "epochs_done", "training");
    // Sessions saved before pruning jobs were resumable have no "epochs" or "state".
    point->epochs_total = t.contains("epochs") ? value_of<int>(t, "epochs", "training")
                                               : point->options.value("epochs", 0);
    if (!t.at("checkpoint").is_null()) point->checkpoint = checkpoint_from_json(t.at("checkpoint"));
    point->job_state = t.value("state", nlohmann::json(nullptr));
    point->curves = curves_from(t.at("curves"));
    require(data != nullptr, "the saved training run needs its dataset: load it again first");
    // Checked now so a bad one fails before the session changes.
    if (point->kind == JobKind::kDistill) distill_options_from_json(point->options);
    else if (point->kind == JobKind::kPrune) prune_options_from_json(point->options);
    else train_options_from_json(point->options);
  }

  // 2. Everything parsed: change the session.
  Session& s = app.session;
  s.split_settings = split;
  if (data_kept) s.set_dataset(data, data_source);
  else s.resplit();
  s.set_teacher(teacher, teacher ? teacher_source : "");
  s.set_student(student, student ? recipe : StudentRecipe{});
  s.curves = curves;
  s.baseline_curves = baseline_curves;
  s.comparison = comparison;
  app.teacher_panel.train = teacher_options;
  app.teacher_panel.arch.set_spec(teacher_arch);
  app.student_panel.arch.set_spec(student_arch);
  app.distil_panel.options = distill_options;
  app.prune_panel.options = prune_options;
  for (int i = 0; i < static_cast<int>(PanelId::kCount); ++i)
    if (panel == panel_title(static_cast<PanelId>(i))) app.selected = static_cast<PanelId>(i);

  nlohmann::json out = {{"dataset", s.dataset ? nlohmann::json({{"source", s.dataset_source},
                                                                {"count", s.dataset->size()},
                                                                {"restored", data_kept}})
                                              : nlohmann::json(nullptr)},
                        {"teacher", teacher != nullptr},
                        {"student", student != nullptr},
                        {"training", nullptr},
                        {"job", nullptr}};
  // 3. The interrupted run continues from its checkpoint.
  if (point) {
    out["training"] = {
        {"kind", job_kind_name(point->kind)}, {"epoch", point->epochs_done}, {"epochs", point->epochs_total}};
    try {
      if (point->kind == JobKind::kDistill)
        out["job"] = start_distillation(app, distill_options_from_json(point->options), point);
      else if (point->kind == JobKind::kPrune)
        out["job"] = start_pruning(app, prune_options_from_json(point->options), point);
      else out["job"] = start_teacher_training(app, train_options_from_json(point->options), point);
    } catch (const Error& e) {
      out["resumeError"] = e.what();
    }
  }
  return out;
}

}  // namespace distillery
