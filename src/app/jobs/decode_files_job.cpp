#include "app/jobs/decode_files_job.h"

namespace distillery {

DecodeFilesJob::DecodeFilesJob(std::vector<FileEntry> files, std::string source, const std::string& title)
    : files_(std::move(files)), source_(std::move(source)) {
  update_progress([&](JobProgress& p) {
    p.title = title;
    p.phase = "decoding " + std::to_string(files_.size()) + (files_.size() == 1 ? " file" : " files");
  });
}

void DecodeFilesJob::release_files() {
  files_.clear();
  files_.shrink_to_fit();
}

}  // namespace distillery
