// distillery predict: class and probability for image files.
#include <algorithm>
#include <cstdio>
#include <numeric>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/cli_data.h"
#include "cli/commands.h"
#include "engine/core/error.h"
#include "engine/data/batch.h"
#include "engine/data/image.h"
#include "engine/io/float_text.h"
#include "engine/losses/losses.h"
#include "native/dataset_files.h"
#include "native/model_files.h"
#include "native/quantized_model_files.h"

namespace distillery {
namespace {

// Every image decoded at the model's input size and colour, as one dataset so
// the batch goes through the same preprocessing as training did. Decoding all
// images first means a bad file fails the command before anything is printed.
Dataset decode_images(const std::vector<std::string>& paths, const Model& model) {
  const Shape& in = model.input_shape();
  Dataset images;
  images.height = in[0];
  images.width = in[1];
  images.channels = in[2];
  images.class_names = model.class_names;
  for (const std::string& path : paths) {
    require_exists(path);
    Image image;
    try {
      image = decode_image(read_file_bytes(path), in[0], in[1], in[2], path);
    } catch (const Error& e) {
      const std::string message = e.what();
      if (message.find(path) != std::string::npos) throw;
      throw Error(path + ": " + message);
    }
    images.pixels.insert(images.pixels.end(), image.pixels.begin(), image.pixels.end());
    images.labels.push_back(0);
  }
  return images;
}

std::vector<double> short_numbers(const float* values, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) out.push_back(float_to_json_double(values[i]));
  return out;
}

// Class indices by descending probability (ties: class order).
std::vector<int> ranking(const float* probabilities, int classes) {
  std::vector<int> order(static_cast<size_t>(classes));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return probabilities[a] > probabilities[b]; });
  return order;
}

}  // namespace

int run_predict(const Args& argv) {
  ArgParser args("predict", "Classify image files (PNG, JPEG, BMP, GIF). Each image is resized to the\n"
                            "model's input size and colour and preprocessed as in training.");
  args.add_required("--model", "MODEL.json", "the model to run");
  args.add_value("--top", "K", "show the K most probable classes per image", "1");
  args.add_switch("--json", "print a JSON array, one object per image, on stdout");
  args.allow_positionals("IMAGE", "image files to classify", 1);
  if (!args.parse(argv)) return 0;

  const std::string model_path = args.get("--model");
  AnyModelFile file = load_any_model_file(model_path);
  const Model& model = file.model;
  require_image_model(model, model_path);
  const int classes = model.num_outputs();
  const int top = args.get_int("--top", 1, 1, 1000000);
  const int shown = std::min(top, classes);

  const std::vector<std::string>& paths = args.positionals();
  const Dataset images = decode_images(paths, model);
  std::vector<int> indices(paths.size());
  std::iota(indices.begin(), indices.end(), 0);
  Tensor input;
  gather_batch(images, indices.data(), static_cast<int>(indices.size()), model.preprocessing, input);
  const Tensor logits = file.predict_logits(input);
  Tensor probabilities;
  softmax(logits, 1.0f, probabilities);

  nlohmann::json results = nlohmann::json::array();
  for (size_t i = 0; i < paths.size(); ++i) {
    const float* p = probabilities.data() + static_cast<int64_t>(i) * classes;
    const std::vector<int> order = ranking(p, classes);
    if (args.has("--json")) {
      nlohmann::json top_list = nlohmann::json::array();
      for (int k = 0; k < shown; ++k)
        top_list.push_back({{"label", model.class_names[order[k]]}, {"probability", float_to_json_double(p[order[k]])}});
      results.push_back({{"file", paths[i]},
                         {"label", model.class_names[order[0]]},
                         {"class_index", order[0]},
                         {"probability", float_to_json_double(p[order[0]])},
                         {"probabilities", short_numbers(p, classes)},
                         {"top", top_list}});
    } else {
      std::string line = paths[i] + ":";
      for (int k = 0; k < shown; ++k) {
        char prob[32];
        std::snprintf(prob, sizeof prob, " (%.4f)", p[order[k]]);
        line += (k ? ", " : " ") + model.class_names[order[k]] + prob;
      }
      std::printf("%s\n", line.c_str());
    }
  }
  if (args.has("--json"))
    std::printf("%s\n", results.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace distillery
