// The C functions the page's JavaScript calls (see distillery_glue.post.js
// and docs/JS_API.md). All run on the browser's main thread, like the UI.
#include <emscripten.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "platform/web/web_platform.h"
#include "platform/web/web_state.h"

using distillery::web_state;

extern "C" {

// Stages one uploaded file; takes ownership of `bytes` (allocated with malloc by JS).
EMSCRIPTEN_KEEPALIVE void dst_stage_file(const char* path, uint8_t* bytes, int length) {
  std::vector<uint8_t> data(bytes, bytes + length);
  std::free(bytes);
  web_state().api->stage_file(path, std::move(data));
}

EMSCRIPTEN_KEEPALIVE void dst_clear_staged() { web_state().api->clear_staged(); }

// One API method; returns JSON text valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* dst_call(const char* method, const char* args_json) {
  web_state().reply = web_state().api->call(method, args_json ? args_json : "");
  return web_state().reply.c_str();
}

// Bytes the last API method left for the page (sessionSnapshot, sessionDataset).
EMSCRIPTEN_KEEPALIVE const uint8_t* dst_output_bytes() { return web_state().api->output().data(); }
EMSCRIPTEN_KEEPALIVE int dst_output_size() { return static_cast<int>(web_state().api->output().size()); }

// Files the user picked or dropped for a purpose ("dataset", "teacher", "predict", "auto"),
// staged before with dst_stage_file. Errors show in the UI.
EMSCRIPTEN_KEEPALIVE void dst_receive_staged(const char* purpose) {
  auto& s = web_state();
  std::vector<distillery::FileEntry> files = s.api->take_staged_files();
  s.app->receive_files(distillery::purpose_from_name(purpose), std::move(files));
}

// The UI font (TrueType bytes, malloc'd by JS; ownership passes here).
EMSCRIPTEN_KEEPALIVE void dst_set_font(uint8_t* bytes, int length) {
  std::vector<uint8_t> data(bytes, bytes + length);
  std::free(bytes);
  web_state().frontend.set_font(std::move(data));
}

}  // extern "C"
