#pragma once
// The subcommands of `distillery`, one file each (cmd_<name>.cpp). Each takes
// the arguments after its name, returns the exit code, and throws
// distillery::Error for anything the user should fix (main prints it as
// "distillery: <message>" and exits with 1).
//
// Adding a subcommand: write cmd_<name>.cpp with run_<name>(), declare it
// here and add a row to kCommands in main.cpp.
#include <string>
#include <vector>

namespace distillery {

using Args = std::vector<std::string>;

int run_train(const Args& args);
int run_distill(const Args& args);
int run_eval(const Args& args);
int run_predict(const Args& args);
int run_prune(const Args& args);
int run_convert(const Args& args);
int run_quantize(const Args& args);

}  // namespace distillery
