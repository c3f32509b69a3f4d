// distillery: train, distil, evaluate and run image classifiers from the
// command line. Dispatches to one subcommand per file (see commands.h).
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "cli/commands.h"
#include "engine/core/error.h"

namespace {

using distillery::Args;

struct Command {
  const char* name;
  int (*run)(const Args&);
  const char* summary;
};

const Command kCommands[] = {
    {"train", distillery::run_train, "train a classifier on a dataset"},
    {"distill", distillery::run_distill, "train a small student from a teacher model (knowledge distillation)"},
    {"eval", distillery::run_eval, "measure a model's accuracy, confusion, size and latency on a dataset"},
    {"predict", distillery::run_predict, "classify image files with a model"},
    {"prune", distillery::run_prune, "prune a model (magnitude, global, random, structured), fine-tune, report"},
    {"quantize", distillery::run_quantize, "quantize a model to int8 (integer kernels) or int8/float16 weights"},
    {"convert", distillery::run_convert, "convert TensorFlow.js Layers models (and Keras ones) to and from Distillery"},
};

void print_help(std::FILE* out) {
  std::fputs(
      "usage: distillery <command> [options]\n\n"
      "Distillery trains image classifiers, distils them into smaller students and\n"
      "evaluates them; models are JSON files (docs/MODEL_FORMAT.md).\n\n"
      "commands:\n",
      out);
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fputs(
      "\n'distillery <command> --help' lists a command's options.\n\n"
      "example:\n"
      "  distillery train --data /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \\\n"
      "      --arch conv:32:3,pool:2,conv:64:3,pool:2,dense:128 --epochs 3 --out teacher.json\n"
      "  distillery distill --teacher teacher.json --data ... --arch dense:32 \\\n"
      "      --temperature 4 --alpha 0.1 --out student.json\n"
      "  distillery eval --model student.json --data ... --teacher teacher.json --json\n"
      "  distillery predict --model student.json shoe.png\n",
      out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_help(stderr);
    return 1;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    if (name == "help" && argc > 2) {
      for (const Command& c : kCommands)
        if (argv[2] == std::string(c.name)) return c.run({"--help"});
    }
    print_help(stdout);
    return 0;
  }
  const Args args(argv + 2, argv + argc);
  try {
    for (const Command& c : kCommands)
      if (name == c.name) return c.run(args);
    std::string names;
    for (const Command& c : kCommands) names += (names.empty() ? "" : ", ") + std::string(c.name);
    throw distillery::Error("unknown command '" + name + "' (commands: " + names + "; see distillery --help)");
  } catch (const distillery::Error& e) {
    // One line, whatever the message holds.
    std::string message = e.what();
    for (char& ch : message)
      if (ch == '\n' || ch == '\r') ch = ' ';
    std::fprintf(stderr, "distillery: %s\n", message.c_str());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "distillery: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "distillery: internal error: %s\n", e.what());
  }
  return 1;
}
