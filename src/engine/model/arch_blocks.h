#pragma once
// Architecture-spec tokens that stand for a small graph rather than one layer:
//
//   res:FILTERS[:STRIDE]            a basic residual block (He et al. 2016):
//       conv3x3(stride) - bn - relu - conv3x3 - bn, plus the block's input
//       (or a 1x1 conv(stride) - bn projection of it when the shape changes),
//       then relu
//   mbconv:FILTERS:EXPANSION[:STRIDE]   an inverted residual block (MobileNetV2):
//       conv1x1 to EXPANSION x the input's channels - bn - relu6 (left out for
//       EXPANSION 1), dwconv3x3(stride) - bn - relu6, conv1x1 to FILTERS - bn,
//       plus the block's input when the shape is unchanged
//
// The block's layers are named "res2_conv1", "mb1_dw", ... (the block's number
// in the spec), so describe_arch can read the block back.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace distillery {

class ArchToken;

// Adds the block's layers when the token names a block; false otherwise.
bool add_arch_block(ArchToken& token);

// The tokens a spec's block names start with, for messages ("res, mbconv").
std::vector<std::string> arch_block_tokens();

// When layers[first] starts a block added by add_arch_block: its token, and
// `end` is set past its last layer.
bool describe_arch_block(const std::vector<nlohmann::json>& layers, size_t first, std::string& token, size_t& end);

}  // namespace distillery

namespace distillery {

// For editors that show a block token as a form (the app's architecture
// editor): the block's numbers, read by add_arch_block itself (so with its
// checks and Errors), and the token for them, as describe_arch writes it.
struct ArchBlockForm {
  std::string block;  // "res" or "mbconv"
  int filters = 0;
  int expansion = 1;  // mbconv only
  int stride = 1;
};
// False when the token does not name a block; throws Error for a bad block token.
bool read_arch_block_form(const std::string& token, ArchBlockForm& form);
std::string arch_block_form_token(const ArchBlockForm& form);

}  // namespace distillery
