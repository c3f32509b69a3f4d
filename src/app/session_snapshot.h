#pragma once
// Session snapshots: what the web app keeps in IndexedDB (web/session-store.js)
// so that nothing is lost on a reload or a crash. A snapshot is JSON text
// (models with base64 weights, the student's recipe, the split and panel
// settings, and the running training or pruning job's last resume point) plus
// the dataset's bytes in a small binary form when the dataset is small enough.
//
//   const nlohmann::json saved = session_snapshot_json(app);
//   const std::vector<uint8_t> data = encode_dataset_bytes(*app.session.dataset);
//   ... reload ...
//   restore_session(app, saved.dump(), &data, true);  // resumes the training job
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/data/dataset.h"

namespace distillery {

class App;

// A dataset is kept with the session only up to this size (pixels + labels);
// bigger ones are uploaded again after a restore.
constexpr int64_t kMaxSavedDatasetBytes = int64_t(64) << 20;

// The session as JSON (without the dataset's pixels).
nlohmann::json session_snapshot_json(const App& app);
// Changes whenever the snapshot would: a new dataset, model, checkpoint or
// setting. The page saves when it changes.
std::string session_revision(const App& app);
// Whether the current dataset goes into the snapshot.
bool dataset_fits_snapshot(const Dataset& data);

// The dataset in a small binary form ("DSTLDATA", version, shape, class names,
// labels, pixels; integers little-endian). Decoding checks every count against
// the bytes present before allocating, and throws Error naming the problem.
std::vector<uint8_t> encode_dataset_bytes(const Dataset& data);
Dataset decode_dataset_bytes(const std::vector<uint8_t>& bytes);

// Puts a snapshot back: dataset (from dataset_bytes when the snapshot kept
// it), teacher, student, split and settings. Everything is parsed and checked
// before anything changes, so a broken snapshot leaves the session as it was.
// With resume and a resume point in the snapshot, the training or pruning
// job starts again from its last finished epoch (or pruning round). Returns what was restored (for the JS API):
//   {dataset, teacher, student, training: {kind, epoch, epochs} | null, job}
nlohmann::json restore_session(App& app, const std::string& snapshot_text, const std::vector<uint8_t>* dataset_bytes,
                               bool resume);

}  // namespace distillery
