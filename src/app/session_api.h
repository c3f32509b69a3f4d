#pragma once
// The JS API's session methods (docs/JS_API.md, "Saved sessions"), kept apart
// from app_api.cpp's table:
//   sessionTick     {} -> {revision, choice}: the page saves when revision
//                   changes; choice is the restore banner's answer, once
//   sessionSnapshot {} -> {bytes, dataset: {key, stored, bytes} | null}; the
//                   snapshot's JSON text is left in the output bytes
//   sessionDataset  {} -> {bytes}; the dataset's bytes are left in the output
//   offerRestore    {savedAt, detail} shows the banner; dismissRestore hides it
//   restoreSession  {resume} with staged "session.json" (+ "dataset.bin")
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/api_table.h"
#include "engine/data/file_entry.h"

namespace distillery {

class App;

// The saved-session rows of the JS API's table (app_api.cpp appends them).
const std::vector<ApiMethod>& session_api_methods();

// The names the page stages a saved session's two files under.
inline constexpr const char* kSnapshotFileName = "session.json";
inline constexpr const char* kDatasetFileName = "dataset.bin";

}  // namespace distillery
