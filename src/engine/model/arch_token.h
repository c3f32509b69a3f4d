#pragma once
// One token of an architecture spec ("conv:32:3:s2", see arch_spec.h) as a
// layer kind reads it (LayerKind::from_arch): its parts, checked numbers and
// options, and where its layer configs go. Errors name the token and its position.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace distillery {

// Options after a conv/pool/dense token's numbers: sN, same, valid, an activation.
struct ArchOptions {
  int stride = 0;  // 0 = the layer's default
  std::string padding;
  std::string activation;
};

class ArchToken {
 public:
  // `flat`: whether the layers before it end in a flat vector.
  ArchToken(std::string text, int position, bool flat, std::vector<nlohmann::json>& out);

  const std::string& text() const { return text_; }
  const std::string& name() const { return parts_[0]; }
  const std::string& part(size_t i) const { return parts_[i]; }
  size_t size() const { return parts_.size(); }
  // "'conv:x:3' at position 1", for messages.
  std::string where() const;

  // The token has min..max parts (the name counts); usage is shown otherwise.
  void require_parts(size_t min, size_t max, const char* usage) const;
  int positive_int(size_t i, const char* what, int max = 1 << 20) const;
  // "3" -> 3, "3x5" -> [3, 5].
  nlohmann::json window(size_t i, const char* what) const;
  float number(size_t i, const char* what) const;
  ArchOptions options(size_t first, bool allow_window, bool allow_activation) const;

  // Image layers refuse to come after a flat one (LayerKind::output_flat).
  void require_image() const;

  void add(nlohmann::json config) { out_.push_back(std::move(config)); }
  // The layers of the tokens before this one and of this one so far (blocks
  // read and name the layer they start from).
  std::vector<nlohmann::json>& layers() { return out_; }
  // The activation after a conv or dense: relu unless named, none for "linear".
  void add_activation(const std::string& activation);

 private:
  int int_from(const std::string& text, const char* what, int max) const;

  std::string text_;
  int position_;
  std::vector<std::string> parts_;
  bool flat_;
  std::vector<nlohmann::json>& out_;
};

// Writing tokens back (describe_arch): "3" for 3 or [3, 3], "3x5" for [3, 5].
std::string arch_window_text(const nlohmann::json& value);
// A number with 6 significant digits: a summary, not a file.
std::string arch_number_text(float value);

}  // namespace distillery
