#pragma once
// DecodeUnlabeledJob: uploaded images without labels (loose images or a
// folder, a ZIP, an IDX images file) become the session's unlabeled set, in
// the labelled dataset's image shape. A failure keeps the earlier set.
#include <string>
#include <vector>

#include "app/jobs/decode_files_job.h"

namespace distillery {

class DecodeUnlabeledJob : public DecodeFilesJob {
 public:
  DecodeUnlabeledJob(std::vector<FileEntry> files, std::string source, Shape target);
  static constexpr const char* kTitle = "Loading unlabeled images";
  std::string title() const override { return kTitle; }
  JobKind kind() const override { return JobKind::kLoadUnlabeled; }
  bool step() override;
  nlohmann::json apply(Session& session, bool stopped) override;

 private:
  Shape target_;
};

}  // namespace distillery
