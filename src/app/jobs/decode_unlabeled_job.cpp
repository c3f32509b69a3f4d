#include "app/jobs/decode_unlabeled_job.h"

#include "app/unlabeled_set.h"
#include "engine/core/error.h"
#include "engine/data/dataset_decoding.h"

namespace distillery {

DecodeUnlabeledJob::DecodeUnlabeledJob(std::vector<FileEntry> files, std::string source, Shape target)
    : DecodeFilesJob(std::move(files), std::move(source), kTitle), target_(std::move(target)) {}

bool DecodeUnlabeledJob::step() {
  // Decoded in their own shape first, so the aspect ratio can be checked before resizing.
  Dataset images;
  try {
    images = decode_unlabeled_images(files_);
  } catch (const Error& e) {
    throw Error(source_ + ": " + e.what());
  }
  release_files();
  result_ = std::make_shared<Dataset>(conform_unlabeled(std::move(images), target_, &conversion_));
  update_progress([](JobProgress& p) { p.fraction = 1.0; });
  return false;
}

nlohmann::json DecodeUnlabeledJob::apply(Session& session, bool /*stopped*/) {
  require(result_ != nullptr, "the unlabeled images were not decoded");
  require(session.dataset && session.dataset->sample_shape() == result_->sample_shape(),
          "the dataset changed while the unlabeled images were decoded: load them again");
  session.set_unlabeled(result_, source_);
  nlohmann::json out = {{"count", result_->size()},
                        {"shape", {result_->height, result_->width, result_->channels}},
                        {"source", source_}};
  if (!conversion_.empty()) out["converted"] = conversion_;
  return out;
}

}  // namespace distillery
