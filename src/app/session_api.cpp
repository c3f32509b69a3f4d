#include "app/session_api.h"

#include "app/app.h"
#include "app/app_api.h"
#include "app/jobs/job_kind.h"
#include "app/session_snapshot.h"
#include "engine/core/error.h"

namespace distillery {

namespace {

// "bands.csv (240 images), teacher, student, quantized student, distillation at epoch 2 of 5": for the restore banner.
std::string snapshot_summary(const nlohmann::json& s) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (s["dataset"].is_object())
    add(s["dataset"]["source"].get<std::string>() + " (" + std::to_string(s["dataset"]["count"].get<int>()) + " images" +
        (s["dataset"]["stored"].get<bool>() ? ")" : ", too big to keep)"));
  if (s["teacher"].is_object()) add("teacher");
  if (s["student"].is_object()) add("student");
  if (s.contains("quantized") && s["quantized"].is_object())
    add("quantized " + s["quantized"]["source"].get<std::string>());
  if (s["training"].is_object())
    add(std::string(job_kind_noun(job_kind_from_name(s["training"]["kind"].get<std::string>()))) + " at epoch " +
        std::to_string(s["training"]["epochs_done"].get<int>()) + " of " +
        std::to_string(s["training"]["epochs"].get<int>()));
  return out;
}

}  // namespace

namespace {

nlohmann::json session_tick(ApiCall& c) {
  App& app = c.app;
  app.update();  // a finished job lands before the revision is read
  nlohmann::json out = {{"revision", session_revision(app)}, {"choice", app.restore_offer.choice},
                        {"offered", app.restore_offer.shown}};
  app.restore_offer.choice.clear();
  return out;
}

nlohmann::json session_snapshot(ApiCall& c) {
  App& app = c.app;
  std::vector<uint8_t>& output = c.api.output_buffer();
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

nlohmann::json session_dataset(ApiCall& c) {
  App& app = c.app;
  require(app.session.dataset != nullptr, "sessionDataset: no dataset is loaded");
  require(dataset_fits_snapshot(*app.session.dataset), "sessionDataset: the dataset is too big to keep");
  c.api.output_buffer() = encode_dataset_bytes(*app.session.dataset);
  return nlohmann::json{{"bytes", c.api.output().size()}, {"key", app.session.dataset_version}};
}

nlohmann::json offer_restore(ApiCall& c) {
  c.app.restore_offer.offer(c.args.value("savedAt", std::string("earlier")), c.args.value("detail", std::string()));
  return nullptr;
}

nlohmann::json dismiss_restore(ApiCall& c) {
  c.app.restore_offer.shown = false;
  c.app.restore_offer.choice.clear();
  return nullptr;
}

nlohmann::json restore_session_method(ApiCall& c) {
  App& app = c.app;
  const std::vector<FileEntry> staged_files = c.api.take_staged_files();
  const FileEntry* snapshot = nullptr;
  const FileEntry* dataset = nullptr;
  for (const FileEntry& f : staged_files) {
    if (f.path == kSnapshotFileName) snapshot = &f;
    if (f.path == kDatasetFileName) dataset = &f;
  }
  require(snapshot != nullptr, "restoreSession: stage the saved session as session.json");
  const std::string text(snapshot->bytes.begin(), snapshot->bytes.end());
  nlohmann::json out = restore_session(app, text, dataset ? &dataset->bytes : nullptr, c.args.value("resume", true));
  app.restore_offer.shown = false;
  app.notices.success(out["job"].is_null() ? "Session restored"
                                           : "Session restored: training continues from epoch " +
                                                 std::to_string(out["training"]["epoch"].get<int>() + 1));
  return out;
}

}  // namespace

const std::vector<ApiMethod>& session_api_methods() {
  static const std::vector<ApiMethod> kRows = {
      {"sessionTick", session_tick},         {"sessionSnapshot", session_snapshot},
      {"sessionDataset", session_dataset},   {"offerRestore", offer_restore},
      {"dismissRestore", dismiss_restore},   {"restoreSession", restore_session_method},
  };
  return kRows;
}

}  // namespace distillery
