#pragma once
// DecodeFilesJob: what the jobs that decode an upload share (the labelled
// dataset, the unlabeled images). They hold the uploaded files until step()
// decodes them, name where they came from in messages, and keep the decoded
// set and a note of any conversion until apply() moves them into the session.
#include <memory>
#include <string>
#include <vector>

#include "app/training_worker.h"
#include "engine/data/file_entry.h"

namespace distillery {

class DecodeFilesJob : public Job {
 protected:
  // Shows `title` and "decoding N files" until step() runs.
  DecodeFilesJob(std::vector<FileEntry> files, std::string source, const std::string& title);
  // Drops the files' bytes once decoded: an upload can be hundreds of MB.
  void release_files();

  std::vector<FileEntry> files_;
  std::string source_;              // describe_upload of the files
  std::shared_ptr<Dataset> result_;
  std::string conversion_;          // what was converted, for the user ("" when nothing was)
};

}  // namespace distillery
