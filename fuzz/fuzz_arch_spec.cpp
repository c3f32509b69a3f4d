// Fuzz target: architecture specs (the --arch text and JSON architectures)
// turned into a model. Byte 0 picks the class count and the input rank; the
// rest is the spec.
#include <cstdint>
#include <string>

#include "engine/core/error.h"
#include "engine/model/arch_spec.h"

using namespace distillery;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int num_classes = 1 + data[0] % 16;
  const bool image = (data[0] & 0x80) == 0;
  const std::string spec(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const auto configs = parse_arch_spec(spec, num_classes, image ? 3 : 1);
    const Shape input_shape = image ? Shape{12, 12, 3} : Shape{48};
    const Model::Size size = Model::measure(configs, input_shape);
    // Measuring ran every shape and size check. Building also allocates and
    // initialises each weight, which under the sanitizers takes seconds for
    // the tens of millions the limits allow: libFuzzer took those for hangs.
    if (size.parameters > (int64_t(1) << 20)) return 0;
    Rng rng(1);
    Model model = Model::from_layer_configs(configs, input_shape, rng);
    if (model.parameter_count() != size.parameters || model.flops_per_sample() != size.flops_per_sample ||
        model.num_layers() != size.layers)
      __builtin_trap();
    if (model.num_outputs() != num_classes && !spec.empty() && spec[0] != '[' && spec[0] != '{') __builtin_trap();
    describe_arch(model);
    if (model.flops_per_sample() <= (int64_t(1) << 22)) {
      const Tensor input(model.input_shape().with_batch(1), 0.5f);
      model.forward(input, true);
    }
  } catch (const Error&) {
  }
  return 0;
}
