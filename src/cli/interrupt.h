#pragma once
// Ctrl-C during a long run: the first one asks the run to stop at the next
// batch (the command then measures and saves the model as it is), a second
// one ends the program. Held for the length of the run:
//
//   TrainControl control;
//   { StopOnInterrupt guard(control.stop); run.run(&control); }
#include <atomic>

namespace distillery {

class StopOnInterrupt {
 public:
  explicit StopOnInterrupt(std::atomic<bool>& stop);
  ~StopOnInterrupt();
  StopOnInterrupt(const StopOnInterrupt&) = delete;
  StopOnInterrupt& operator=(const StopOnInterrupt&) = delete;

 private:
  void (*previous_)(int);
};

}  // namespace distillery
