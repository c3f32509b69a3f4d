#pragma once
// The rows of the JS API's method table (app_api.cpp holds the table, with
// session_api.cpp's rows appended). A handler reads its arguments, calls the
// actions and returns the reply's value; it throws Error for bad input.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace distillery {

class App;
class AppApi;

struct ApiCall {
  App& app;
  AppApi& api;  // staged files in, output bytes out
  const std::string& method;
  const nlohmann::json& args;
};

using ApiHandler = nlohmann::json (*)(ApiCall& call);

struct ApiMethod {
  const char* name;
  ApiHandler handler;
  // Polled methods keep their errors out of the UI's notices (the page asks
  // them many times a second; the error is the page's to show).
  bool quiet = false;
};

}  // namespace distillery
