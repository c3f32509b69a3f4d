#include "app/session_api.h"

#include "app/app.h"
#include "app/session_snapshot.h"
#include "engine/core/error.h"

namespace distillery {

namespace {

std::string training_kind_name(const nlohmann::json& kind) {
  if (kind == "distill") return "distillation";
  if (kind == "prune") return "pruning";
  return "teacher training";
}

// "bands.csv (240 images), teacher, student, distillation at epoch 2 of 5": for the restore banner.
std::string snapshot_summary(const nlohmann::json& s) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (s["dataset"].is_object())
    add(s["dataset"]["source"].get<std::string>() + " (" + std::to_string(s["dataset"]["count"].get<int>()) + " images" +
        (s["dataset"]["stored"].get<bool>() ? ")" : ", too big to keep)"));
  if (s["teacher"].is_object()) add("teacher");
  if (s["student"].is_object()) add("student");
  if (s["training"].is_object())
    add(training_kind_name(s["training"]["kind"]) + " at epoch " +
        std::to_string(s["training"]["epochs_done"].get<int>()) + " of " +
        std::to_string(s["training"]["epochs"].get<int>()));
  return out;
}

}  // namespace

bool is_session_method(const std::string& method) {
  return method == "sessionTick" || method == "sessionSnapshot" || method == "sessionDataset" ||
         method == "offerRestore" || method == "dismissRestore" || method == "restoreSession";
}

std::optional<nlohmann::json> call_session_method(App& app, const std::string& method, const nlohmann::json& args,
                                                  std::vector<FileEntry> staged_files, std::vector<uint8_t>& output) {
  if (method == "sessionTick") {
    app.update();  // a finished job lands before the revision is read
    nlohmann::json out = {{"revision", session_revision(app)}, {"choice", app.restore_offer.choice},
                          {"offered", app.restore_offer.shown}};
    app.restore_offer.choice.clear();
    return out;
  }
  if (method == "sessionSnapshot") {
    const nlohmann::json snapshot = session_snapshot_json(app);
    const std::string text = snapshot.dump();
    output.assign(text.begin(), text.end());
    const auto& data = app.session.dataset;
    return nlohmann::json{{"bytes", output.size()},
                          {"revision", session_revision(app)},
                          {"summary", snapshot_summary(snapshot)},
                          {"training", snapshot["training"].is_null()
                                           ? nlohmann::json(nullptr)
                                           : nlohmann::json({{"kind", snapshot["training"]["kind"]},
                                                             {"epoch", snapshot["training"]["epochs_done"]},
                                                             {"epochs", snapshot["training"]["epochs"]}})},
                          {"dataset", data ? nlohmann::json({{"key", app.session.dataset_version},
                                                             {"stored", dataset_fits_snapshot(*data)}})
                                           : nlohmann::json(nullptr)}};
  }
  if (method == "sessionDataset") {
    require(app.session.dataset != nullptr, "sessionDataset: no dataset is loaded");
    require(dataset_fits_snapshot(*app.session.dataset), "sessionDataset: the dataset is too big to keep");
    output = encode_dataset_bytes(*app.session.dataset);
    return nlohmann::json{{"bytes", output.size()}, {"key", app.session.dataset_version}};
  }
  if (method == "offerRestore") {
    app.restore_offer.offer(args.value("savedAt", std::string("earlier")), args.value("detail", std::string()));
    return nlohmann::json(nullptr);
  }
  if (method == "dismissRestore") {
    app.restore_offer.shown = false;
    app.restore_offer.choice.clear();
    return nlohmann::json(nullptr);
  }
  if (method == "restoreSession") {
    const FileEntry* snapshot = nullptr;
    const FileEntry* dataset = nullptr;
    for (const FileEntry& f : staged_files) {
      if (f.path == "session.json") snapshot = &f;
      if (f.path == "dataset.bin") dataset = &f;
    }
    require(snapshot != nullptr, "restoreSession: stage the saved session as session.json");
    const std::string text(snapshot->bytes.begin(), snapshot->bytes.end());
    nlohmann::json out = restore_session(app, text, dataset ? &dataset->bytes : nullptr, args.value("resume", true));
    app.restore_offer.shown = false;
    app.notices.success(out["job"].is_null() ? "Session restored"
                                             : "Session restored: training continues from epoch " +
                                                   std::to_string(out["training"]["epoch"].get<int>() + 1));
    return out;
  }
  return std::nullopt;
}

}  // namespace distillery
