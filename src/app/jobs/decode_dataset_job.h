#pragma once
// DecodeDatasetJob: uploaded files (a folder, a ZIP, IDX or CSV) become the
// session's dataset. Decoding a folder of images can take seconds, so it runs
// on the worker like training does.
#include <optional>
#include <string>
#include <vector>

#include "app/jobs/decode_files_job.h"
#include "engine/data/dataset_decoding.h"

namespace distillery {

// When a teacher is loaded, images of another size or colour mode are
// converted to its input (if the class count matches), so it can be used.
struct ConformTarget {
  Shape input_shape;
  int num_classes = 0;
};

class DecodeDatasetJob : public DecodeFilesJob {
 public:
  DecodeDatasetJob(std::vector<FileEntry> files, std::string source, DatasetOptions options,
                   std::optional<ConformTarget> target);
  static constexpr const char* kTitle = "Loading dataset";
  std::string title() const override { return kTitle; }
  JobKind kind() const override { return JobKind::kLoadDataset; }
  bool step() override;
  nlohmann::json apply(Session& session, bool stopped) override;

 private:
  DatasetOptions options_;
  std::optional<ConformTarget> target_;
};

// A name for where files came from: the single file's name, or the common
// top folder of a folder upload.
std::string describe_upload(const std::vector<FileEntry>& files);

}  // namespace distillery
