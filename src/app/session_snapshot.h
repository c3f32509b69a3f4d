#pragma once
// Session snapshots: what the web app keeps in IndexedDB (web/session-store.js)
// so that nothing is lost on a reload or a crash. A snapshot is JSON text
// (models with base64 weights, the student's recipe, the split and panel
// settings, and the running training or pruning job's last resume point) plus
// the dataset's bytes (dataset_bytes.h) when the dataset is small enough;
// session_restore.h puts it back.
//
//   const nlohmann::json saved = session_snapshot_json(app);
//   const std::vector<uint8_t> data = encode_dataset_bytes(*app.session.dataset);
//   ... reload ...
//   restore_session(app, saved.dump(), &data, true);  // resumes the training job
#include <string>

#include <nlohmann/json.hpp>

#include "app/dataset_bytes.h"
#include "app/session.h"
#include "app/session_restore.h"

namespace distillery {

class App;

// The session as JSON (without the dataset's pixels).
nlohmann::json session_snapshot_json(const App& app);
// Changes whenever the snapshot would: a new dataset, model, checkpoint or
// setting. The page saves when it changes.
std::string session_revision(const App& app);

// Training curves in the snapshot's form, and back (throws Error when broken).
nlohmann::json curves_json(const TrainingCurves& curves);
TrainingCurves curves_from_json(const nlohmann::json& j);

}  // namespace distillery
