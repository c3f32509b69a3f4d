#pragma once
// The objects the web module keeps for the page's lifetime: the front end,
// the platform services, the App and its JS API.
#include <memory>

#include <GLFW/glfw3.h>

#include "app/app.h"
#include "app/app_api.h"
#include "app/frontend/glfw_frontend.h"
#include "platform/web/web_platform.h"

namespace distillery {

struct WebState {
  GlfwFrontend frontend;
  WebPlatform platform;
  std::unique_ptr<App> app;
  std::unique_ptr<AppApi> api;
  std::string reply;  // the last API reply, read by JS before the next call
};

WebState& web_state();

}  // namespace distillery
