#include "cli/progress.h"

#include <cmath>
#include <unistd.h>

namespace distillery {

TrainingProgress::TrainingProgress(std::string label, std::FILE* out)
    : label_(std::move(label)), out_(out), interactive_(isatty(fileno(out)) != 0) {}

void TrainingProgress::clear_bar() {
  if (!bar_shown_) return;
  std::fputs("\r\033[K", out_);
  bar_shown_ = false;
}

void TrainingProgress::on_batch(const BatchReport& r) {
  if (!interactive_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool last = r.batch + 1 == r.batches_per_epoch;
  if (!last && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  const int done = r.batches_per_epoch ? (r.batch + 1) * kWidth / r.batches_per_epoch : kWidth;
  std::string bar(static_cast<size_t>(done), '#');
  bar.resize(kWidth, '.');
  std::fprintf(out_, "\r\033[K%s epoch %d [%s] %d/%d  loss %.4f  acc %.3f  %.0f samples/s", label_.c_str(),
               r.epoch + 1, bar.c_str(), r.batch + 1, r.batches_per_epoch, r.loss, r.accuracy, r.samples_per_second);
  std::fflush(out_);
  bar_shown_ = true;
}

void TrainingProgress::on_epoch(const EpochReport& r) {
  clear_bar();
  std::fprintf(out_, "%s epoch %d/%d  loss %.4f  acc %.4f", label_.c_str(), r.epoch + 1, r.epochs, r.train_loss,
               r.train_accuracy);
  if (!std::isnan(r.val_accuracy)) std::fprintf(out_, "  val_loss %.4f  val_acc %.4f", r.val_loss, r.val_accuracy);
  std::fprintf(out_, "  %.0f samples/s  %.1f s\n", r.samples_per_second, r.seconds);
  std::fflush(out_);
}

TrainCallbacks TrainingProgress::callbacks() {
  TrainCallbacks callbacks;
  callbacks.on_batch = [this](const BatchReport& r) { on_batch(r); };
  callbacks.on_epoch = [this](const EpochReport& r) { on_epoch(r); };
  return callbacks;
}

void note(const std::string& text) {
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

}  // namespace distillery
