#pragma once
// Puts a saved session back (session_snapshot.h writes it): dataset (from
// dataset_bytes when the snapshot kept it), teacher, student, split and
// settings. Everything is parsed and checked before anything changes, so a
// broken snapshot leaves the session as it was. With resume and a resume
// point in the snapshot, the training or pruning job starts again from its
// last finished epoch (or pruning round). Returns what was restored (for the
// JS API):
//   {dataset, teacher, student, training: {kind, epoch, epochs} | null, job}
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace distillery {

class App;

nlohmann::json restore_session(App& app, const std::string& snapshot_text, const std::vector<uint8_t>* dataset_bytes,
                               bool resume);

}  // namespace distillery
