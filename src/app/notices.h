#pragma once
// Notices: the messages the app shows the user (errors in red, results in
// green), newest last. The newest error stays in a banner until dismissed or
// until something later succeeds.
#include <deque>
#include <string>

namespace distillery {

struct Notice {
  enum class Kind { kInfo, kSuccess, kError };
  Kind kind = Kind::kInfo;
  std::string text;
  double time = 0;  // seconds since the app started
};

class Notices {
 public:
  void info(std::string text) { add(Notice::Kind::kInfo, std::move(text)); }
  void success(std::string text) { add(Notice::Kind::kSuccess, std::move(text)); }
  void error(std::string text) { add(Notice::Kind::kError, std::move(text)); }
  const std::deque<Notice>& all() const { return notices_; }
  // The error shown in the banner, or null when there is none (or it was dismissed).
  const Notice* banner() const { return banner_ >= 0 ? &notices_[banner_] : nullptr; }
  void dismiss_banner() { banner_ = -1; }
  void set_clock(double now) { now_ = now; }

 private:
  void add(Notice::Kind kind, std::string text) {
    notices_.push_back({kind, std::move(text), now_});
    if (notices_.size() > 100) {
      notices_.pop_front();
      if (banner_ >= 0) --banner_;
    }
    if (kind == Notice::Kind::kError) banner_ = static_cast<int>(notices_.size()) - 1;
    if (kind == Notice::Kind::kSuccess) banner_ = -1;  // a later success makes the old error moot
  }
  std::deque<Notice> notices_;
  int banner_ = -1;
  double now_ = 0;
};

}  // namespace distillery
