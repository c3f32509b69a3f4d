#include "engine/io/json_writer.h"

namespace distillery {
namespace {

template <typename Json>
std::string dump_value(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

template <typename Json>
bool is_flat_array(const Json& value) {
  if (!value.is_array()) return false;
  for (const auto& element : value)
    if (element.is_structured()) return false;
  return true;
}

template <typename Json>
void write(const Json& value, int indent, int depth, std::string& out) {
  if (!value.is_structured() || value.empty() || is_flat_array(value)) {
    out += dump_value(value);
    return;
  }
  const std::string inner(static_cast<size_t>(indent * (depth + 1)), ' ');
  const std::string outer(static_cast<size_t>(indent * depth), ' ');
  const bool object = value.is_object();
  out += object ? "{\n" : "[\n";
  bool first = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!first) out += ",\n";
    first = false;
    out += inner;
    if (object) {
      out += dump_value(Json(it.key()));
      out += ": ";
    }
    write(it.value(), indent, depth + 1, out);
  }
  out += "\n" + outer + (object ? "}" : "]");
}

}  // namespace

template <typename Json>
std::string dump_json_compact_arrays(const Json& value, int indent) {
  if (indent < 0) return dump_value(value);
  std::string out;
  write(value, indent, 0, out);
  return out;
}

template std::string dump_json_compact_arrays<nlohmann::json>(const nlohmann::json&, int);
template std::string dump_json_compact_arrays<nlohmann::ordered_json>(const nlohmann::ordered_json&, int);

}  // namespace distillery
