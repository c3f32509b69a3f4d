#include "platform/web/web_platform.h"

#include <emscripten.h>

#include "app/frontend/glfw_frontend.h"

// The page's JavaScript (web/app.js) installs these hooks on Module.
EM_JS(void, js_pick_files, (const char* purpose), {
  if (Module.distilleryHooks) Module.distilleryHooks.pickFiles(UTF8ToString(purpose));
});
EM_JS(void, js_download, (const char* name, const char* text, int length), {
  // Copy out of wasm memory before handing it to a Blob.
  const bytes = HEAPU8.slice(text, text + length);
  if (Module.distilleryHooks) Module.distilleryHooks.download(UTF8ToString(name), bytes);
});
EM_JS(void, js_load_demo, (), {
  if (Module.distilleryHooks) Module.distilleryHooks.loadDemo();
});

namespace distillery {

const char* purpose_name(UploadPurpose purpose) { return upload_purpose_names().name(purpose); }

UploadPurpose purpose_from_name(const std::string& name) {
  return upload_purpose_names().contains(name) ? upload_purpose_names().parse(name) : UploadPurpose::kAuto;
}

void WebPlatform::pick_files(UploadPurpose purpose) { js_pick_files(purpose_name(purpose)); }

std::string WebPlatform::save_file(const std::string& file_name, const std::string& text) {
  js_download(file_name.c_str(), text.data(), static_cast<int>(text.size()));
  return "Downloaded " + file_name;
}

void WebPlatform::load_demo() { js_load_demo(); }

ImTextureID WebPlatform::create_texture(const uint8_t* rgba, int width, int height) {
  return GlfwFrontend::create_texture(rgba, width, height);
}

void WebPlatform::destroy_texture(ImTextureID texture) { GlfwFrontend::destroy_texture(texture); }

}  // namespace distillery
