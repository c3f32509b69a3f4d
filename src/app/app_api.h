#pragma once
// AppApi: the JavaScript API (docs/JS_API.md) on the C++ side. The web glue
// stages uploaded files and calls call(method, json) with JSON in and out;
// the promises, polling and Blob handling live in JS. Native tests drive the
// same methods, so the browser API is tested without a browser.
//
// Every reply is {"ok": true, "value": ...} or {"ok": false, "error": "..."}.
// Long methods ("loadDataset", "trainTeacher", "distill", "prune",
// "evaluate", "loadUnlabeled") reply {"job": id}; "jobStatus" {"job": id} then says
//   {"done": false, "progress": ...} or {"done": true, "ok": ..., "result"|"error": ...}.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/api_table.h"
#include "engine/data/file_entry.h"

namespace distillery {

class App;

class AppApi {
 public:
  explicit AppApi(App& app) : app_(app) {}

  // Files for the next loadDataset / loadTeacher / predict call.
  void stage_file(std::string path, std::vector<uint8_t> bytes);
  void clear_staged() { staged_.clear(); }
  // Hands the staged files over (for uploads the UI routes itself).
  std::vector<FileEntry> take_staged_files();
  // Bytes a method left for the page (a saved session's snapshot or dataset).
  const std::vector<uint8_t>& output() const { return output_; }
  std::vector<uint8_t>& output_buffer() { return output_; }  // for the methods that leave them

  // Dispatches one method; never throws.
  std::string call(const std::string& method, const std::string& args_json);
  nlohmann::json call_json(const std::string& method, const nlohmann::json& args);

 private:

  App& app_;
  std::vector<FileEntry> staged_;
  std::vector<uint8_t> output_;
};

// The JS API's table row for a method name, or nullptr (app_api.cpp).
const ApiMethod* find_api_method(const std::string& name);

}  // namespace distillery
