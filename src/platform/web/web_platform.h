#pragma once
// WebPlatform: PlatformServices in the browser. File pickers and downloads
// are JavaScript (web/app.js); files come back through the C exports in
// web_exports.cpp. Textures are WebGL2 through the shared GL front end.
#include "app/platform_services.h"

namespace distillery {

class WebPlatform : public PlatformServices {
 public:
  bool has_file_picker() const override { return true; }
  void pick_files(UploadPurpose purpose) override;
  std::string save_file(const std::string& file_name, const std::string& text) override;
  bool has_demo() const override { return true; }
  void load_demo() override;
  ImTextureID create_texture(const uint8_t* rgba, int width, int height) override;
  void destroy_texture(ImTextureID texture) override;
};

// Upload purposes as the JS glue names them.
const char* purpose_name(UploadPurpose purpose);
UploadPurpose purpose_from_name(const std::string& name);

}  // namespace distillery
