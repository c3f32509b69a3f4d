#pragma once
// DecodeUnlabeledJob: uploaded images without labels (loose images or a
// folder, a ZIP, an IDX images file) become the session's unlabeled set, in
// the labelled dataset's image shape. A failure keeps the earlier set.
#include <memory>
#include <string>
#include <vector>

#include "app/training_worker.h"
#include "engine/data/file_entry.h"

namespace distillery {

class DecodeUnlabeledJob : public Job {
 public:
  DecodeUnlabeledJob(std::vector<FileEntry> files, std::string source, Shape target);
  std::string title() const override { return "Loading unlabeled images"; }
  JobKind kind() const override { return JobKind::kLoadUnlabeled; }
  bool step() override;
  nlohmann::json apply(Session& session, bool stopped) override;

 private:
  std::vector<FileEntry> files_;
  std::string source_;
  Shape target_;
  std::shared_ptr<Dataset> result_;
  std::string conversion_;
};

}  // namespace distillery
