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

#include "engine/data/file_entry.h"

namespace distillery {

class App;

// nullopt when method is not a session method.
std::optional<nlohmann::json> call_session_method(App& app, const std::string& method, const nlohmann::json& args,
                                                  std::vector<FileEntry> staged_files, std::vector<uint8_t>& output);
bool is_session_method(const std::string& method);

}  // namespace distillery
