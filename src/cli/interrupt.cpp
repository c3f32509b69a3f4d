#include "cli/interrupt.h"

#include <csignal>

namespace distillery {
namespace {

std::atomic<bool>* g_stop = nullptr;

void stop_on_interrupt(int) {
  if (g_stop) g_stop->store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the program
}

}  // namespace

StopOnInterrupt::StopOnInterrupt(std::atomic<bool>& stop) {
  g_stop = &stop;
  previous_ = std::signal(SIGINT, stop_on_interrupt);
}

StopOnInterrupt::~StopOnInterrupt() {
  std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_);
  g_stop = nullptr;
}

}  // namespace distillery
