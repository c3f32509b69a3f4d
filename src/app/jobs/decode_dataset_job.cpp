#include "app/jobs/decode_dataset_job.h"

#include "engine/core/error.h"
#include "engine/data/dataset_ops.h"

namespace distillery {

DecodeDatasetJob::DecodeDatasetJob(std::vector<FileEntry> files, std::string source, DatasetOptions options,
                                   std::optional<ConformTarget> target)
    : DecodeFilesJob(std::move(files), std::move(source), kTitle), options_(options), target_(std::move(target)) {}

bool DecodeDatasetJob::step() {
  result_ = std::make_shared<Dataset>(decode_dataset(files_, options_));
  release_files();
  require(result_->size() > 0, source_ + ": the dataset has no images");
  require(result_->num_classes() >= 2,
          source_ + ": a classifier needs at least 2 classes, but the dataset has " +
              std::to_string(result_->num_classes()));
  if (target_ && target_->num_classes == result_->num_classes() && target_->input_shape.rank() == 3 &&
      target_->input_shape != result_->sample_shape()) {
    conversion_ = "images converted from " + result_->sample_shape().str() + " to the teacher's input " +
                  target_->input_shape.str();
    result_ = std::make_shared<Dataset>(conform_dataset(*result_, target_->input_shape));
  }
  update_progress([](JobProgress& p) { p.fraction = 1.0; });
  return false;
}

nlohmann::json DecodeDatasetJob::apply(Session& session, bool /*stopped*/) {
  require(result_ != nullptr, "the dataset was not decoded");
  session.set_dataset(result_, source_);
  const Dataset& d = *session.dataset;
  nlohmann::json out = {{"classes", d.class_names},
          {"count", d.size()},
          {"shape", {d.height, d.width, d.channels}},
          {"split", {{"train", session.split.train.size()}, {"val", session.split.val.size()},
                     {"test", session.split.test.size()}}}};
  if (!conversion_.empty()) out["converted"] = conversion_;
  return out;
}

std::string describe_upload(const std::vector<FileEntry>& files) {
  if (files.empty()) return "nothing";
  if (files.size() == 1) {
    const std::string& p = files[0].path;
    const size_t slash = p.find_last_of('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
  }
  // IDX pair: name it after the images file.
  for (const auto& f : files)
    if (f.path.find("images") != std::string::npos && files.size() == 2) return describe_upload({FileEntry{f.path, {}}});
  const std::string& first = files[0].path;
  const size_t slash = first.find('/');
  if (slash != std::string::npos) {
    const std::string top = first.substr(0, slash);
    bool shared = true;
    for (const auto& f : files) shared = shared && f.path.compare(0, top.size() + 1, top + "/") == 0;
    if (shared) return top + "/ (" + std::to_string(files.size()) + " files)";
  }
  return std::to_string(files.size()) + " files";
}

}  // namespace distillery
