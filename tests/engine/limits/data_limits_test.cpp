// Every dataset limit of DataLimits (src/engine/data/data_limits.h), proven at
// its boundary: the value at the limit passes, one past it fails with a
// message naming the file and the limit, before the memory it guards is
// allocated. The crafted inputs CLAIM huge sizes in a few bytes, so a limit
// checked after allocating would run these tests out of memory instead.
// docs/RELIABILITY.md lists each limit with the test proving it.
#include <gtest/gtest.h>

#include "engine/data/csv.h"
#include "engine/data/data_builders.h"
#include "engine/data/data_limits.h"
#include "engine/data/dataset_decoding.h"
#include "engine/data/gzip.h"
#include "engine/data/idx.h"
#include "engine/data/image.h"
#include "engine/data/image_folder.h"
#include "engine/data/test_util.h"
#include "engine/data/zip.h"

namespace distillery {
namespace {

using test::Bytes;
using test::ZipBuilder;

void put_be32(Bytes& b, size_t at, uint32_t v) {
  for (int k = 0; k < 4; ++k) b[at + size_t(k)] = uint8_t(v >> (24 - 8 * k));
}
void put_le(Bytes& b, size_t at, uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) b[at + size_t(k)] = uint8_t(v >> (8 * k));
}

// A valid 2x2 PNG whose IHDR then claims width x height (stb_image ignores chunk CRCs).
Bytes png_claiming(uint32_t width, uint32_t height) {
  Bytes png = test::solid_png(2, 2, {0});
  put_be32(png, 16, width);
  put_be32(png, 20, height);
  return png;
}

// The start of a baseline JPEG: SOI and a frame header (SOF0) for one gray
// component. JPEG keeps its size in the frame header, not at a fixed place, so
// this exercises the limit check after stb_image's header parse.
Bytes jpeg_claiming(uint16_t width, uint16_t height) {
  return {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, uint8_t(height >> 8), uint8_t(height), uint8_t(width >> 8),
          uint8_t(width), 0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9};
}

Bytes gif_claiming(uint16_t width, uint16_t height) {
  Bytes gif = {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0, 0, 0x00, 0x00, 0x00, ';'};
  put_le(gif, 6, width, 2);
  put_le(gif, 8, height, 2);
  return gif;
}

TEST(DataLimitsTest, DefaultValuesAreTheDocumentedOnes) {
  const DataLimits limits;
  EXPECT_EQ(limits.max_inflated_bytes, int64_t(1) << 30);
  EXPECT_EQ(limits.max_files, 500000);
  EXPECT_EQ(limits.max_image_side, 16384);
  EXPECT_EQ(limits.max_image_pixels, int64_t(64) << 20);
  EXPECT_EQ(limits.max_dataset_bytes, int64_t(2) << 30);
}

TEST(DataLimitsTest, ImageSideIsCheckedFromTheHeaderAtTheDefaultLimit) {
  EXPECT_EQ(read_image_info(png_claiming(16384, 1), "edge.png").width, 16384);
  EXPECT_ERROR_WITH(read_image_info(png_claiming(16385, 1), "wide.png"), "wide.png", "16385x1", "over the limit",
                    "16384 per side");
  EXPECT_ERROR_WITH(decode_image(png_claiming(1, 100000), 0, 0, 0, "tall.png"), "tall.png", "1x100000");
  EXPECT_ERROR_WITH(decode_image(gif_claiming(20000, 2), 0, 0, 0, "x.gif"), "x.gif", "20000x2", "over the limit");
  EXPECT_ERROR_WITH(decode_image(jpeg_claiming(20000, 8), 0, 0, 0, "x.jpg"), "x.jpg", "20000x8", "over the limit");
}

TEST(DataLimitsTest, ImagePixelsAreCheckedFromTheHeaderAtTheDefaultLimit) {
  // 8192 x 8192 = 64 Mi pixels exactly; one more row is over.
  EXPECT_EQ(read_image_info(png_claiming(8192, 8192), "edge.png").height, 8192);
  EXPECT_ERROR_WITH(decode_image(png_claiming(8192, 8193), 0, 0, 0, "big.png"), "big.png", "8192x8193",
                    "67108864 pixels");
  EXPECT_ERROR_WITH(decode_image(jpeg_claiming(12000, 12000), 0, 0, 0, "big.jpg"), "big.jpg", "12000x12000");
  // The limits are parameters: the web app or a test may tighten them.
  DataLimits tight;
  tight.max_image_pixels = 12;
  EXPECT_EQ(decode_image(test::solid_png(4, 3, {7}), 0, 0, 0, "ok.png", tight).pixels.size(), 12u);
  EXPECT_ERROR_WITH(decode_image(test::solid_png(13, 1, {7}), 0, 0, 0, "no.png", tight), "no.png", "13x1");
}

TEST(DataLimitsTest, DecodedDatasetBytesForCsvFoldersAndConversion) {
  DataLimits limits;
  limits.max_dataset_bytes = 3 * 16;  // three 4x4 gray images
  std::string csv;
  for (int r = 0; r < 3; ++r) {
    csv += std::to_string(r % 2);
    for (int p = 0; p < 16; ++p) csv += ",9";
    csv += "\n";
  }
  CsvOptions csv_options;
  csv_options.limits = limits;
  EXPECT_EQ(decode_csv(csv, csv_options, "three.csv").size(), 3);
  EXPECT_ERROR_WITH(decode_csv(csv + csv.substr(0, csv.find('\n') + 1), csv_options, "four.csv"), "four.csv",
                    "4 images of 16 pixels", "dataset limit of 48 bytes");

  std::vector<FileEntry> folder;
  for (int i = 0; i < 4; ++i)
    folder.push_back({(i % 2 ? "cat/" : "dog/") + std::to_string(i) + ".png", test::solid_png(4, 4, {uint8_t(i)})});
  ImageFolderOptions folder_options;
  folder_options.limits = limits;
  EXPECT_ERROR_WITH(decode_image_folder(folder, folder_options), "4 images of [4, 4, 1]", "dataset limit of 48 bytes");
  folder.pop_back();
  EXPECT_EQ(decode_image_folder(folder, folder_options).size(), 3);

  // Bringing 3 images to a wanted RGB shape would need 3 * 48 bytes.
  DatasetOptions wanted;
  wanted.channels = 3;
  wanted.limits = limits;
  EXPECT_ERROR_WITH(decode_dataset(folder, wanted), "3 images of [4, 4, 3]", "dataset limit of 48 bytes");
}

TEST(DataLimitsTest, NumberOfFilesAtTheDefaultLimit) {
  std::vector<FileEntry> files(500001, FileEntry{"a/x.txt", {}});
  EXPECT_ERROR_WITH(decode_dataset(files), "500001 files", "limit of 500000");
  EXPECT_ERROR_WITH(decode_image_folder(files), "500001 files", "limit of 500000");
  files.pop_back();  // at the limit: the count passes, the content is what fails
  EXPECT_ERROR_WITH(decode_dataset(files), "unknown dataset format");
}

TEST(DataLimitsTest, ZipEntryCountIsCheckedBeforeReadingEntries) {
  // An empty ZIP64 archive whose end record claims 2^40 entries: 98 bytes.
  Bytes zip(56 + 20 + 22, 0);
  put_le(zip, 0, 0x06064b50, 4);       // ZIP64 end of central directory
  put_le(zip, 32, uint64_t(1) << 40, 8);  // entries
  put_le(zip, 56, 0x07064b50, 4);      // ZIP64 locator -> record at offset 0
  put_le(zip, 76, 0x06054b50, 4);      // classic end record, every field "see ZIP64"
  put_le(zip, 76 + 10, 0xFFFF, 2);
  put_le(zip, 76 + 12, 0xFFFFFFFF, 4);
  put_le(zip, 76 + 16, 0xFFFFFFFF, 4);
  EXPECT_ERROR_WITH(unzip(zip, "claims.zip"), "claims.zip", "1099511627776 entries", "limit of 500000");
}

TEST(DataLimitsTest, ZipEntrySizeAndTotalAreCheckedBeforeInflating) {
  // One small entry whose central directory claims 3 GiB through a ZIP64 extra field.
  Bytes zip = ZipBuilder().add("a.png", test::to_bytes("tiny"), true).build();
  const size_t central = zip.size() - 22 - (46 + 5);
  ASSERT_EQ(zip[central], 0x50);
  ASSERT_EQ(zip[central + 1], 0x4b);
  put_le(zip, central + 24, 0xFFFFFFFF, 4);  // uncompressed size: see the extra field
  put_le(zip, central + 30, 12, 2);          // extra field length
  Bytes extra = {0x01, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
  put_le(extra, 4, uint64_t(3) << 30, 8);
  zip.insert(zip.begin() + long(central + 46 + 5), extra.begin(), extra.end());
  put_le(zip, zip.size() - 22 + 12, 46 + 5 + 12, 4);  // central directory size
  EXPECT_ERROR_WITH(unzip(zip, "claims.zip"), "claims.zip", "more than the limit of 1073741824 bytes", "'a.png'");

  // A real zip bomb: 2 x 300 kB of zeros in ~1 kB; the total decides, exactly at the limit it passes.
  const Bytes zeros(300000, 0);
  const Bytes bomb = ZipBuilder().add("a", zeros, true).add("b", zeros, true).build();
  DataLimits limits;
  limits.max_inflated_bytes = 600000;
  EXPECT_EQ(unzip(bomb, "bomb.zip", limits).size(), 2u);
  limits.max_inflated_bytes = 599999;
  EXPECT_ERROR_WITH(unzip(bomb, "bomb.zip", limits), "bomb.zip", "limit of 599999", "'b'");
}

TEST(DataLimitsTest, ZipEntryThatInflatesBeyondItsRecordedSizeStopsAtTheRecordedSize) {
  // The header says 10 bytes; the data inflates to 300 kB. The output buffer
  // is the recorded size, so decoding stops there instead of growing.
  Bytes zip = ZipBuilder().add("a.csv", Bytes(300000, '1'), true).build();
  const size_t central = zip.size() - 22 - (46 + 5);
  put_le(zip, central + 24, 10, 4);
  EXPECT_ERROR_WITH(unzip(zip, "liar.zip"), "liar.zip", "'a.csv'", "more than the recorded 10 bytes");
}

TEST(DataLimitsTest, HostileEntryNamesAreRejected) {
  for (const char* name : {"../escape.png", "a/../../b.png", "/etc/passwd", "\\windows\\x.png", "C:/x.png",
                           "cat\\..\\..\\x.png"}) {
    const Bytes zip = ZipBuilder().add(name, test::to_bytes("x")).build();
    const std::string quoted = std::string("'") + name + "'";
    EXPECT_ERROR_WITH(unzip(zip, "evil.zip"), "evil.zip", quoted.c_str());
  }
}

TEST(DataLimitsTest, GzipTrailerSizeIsCheckedBeforeInflating) {
  Bytes gz = test::gzip(test::to_bytes("hello"));
  put_le(gz, gz.size() - 4, 0xFFFFFFF0u, 4);  // claims 4 GB from a few bytes
  EXPECT_ERROR_WITH(gunzip(gz, "x.gz"), "x.gz", "4294967280 bytes", "more than");
  const Bytes zeros(100000, 0);
  EXPECT_EQ(gunzip(test::gzip(zeros), "z.gz", 100000).size(), 100000u);
  EXPECT_ERROR_WITH(gunzip(test::gzip(zeros), "z.gz", 99999), "z.gz", "100000 bytes", "limit of 99999");
}

TEST(DataLimitsTest, IdxDeclaredCountsMustMatchTheBytes) {
  Bytes images = test::idx_images(1, 28, 28, Bytes(784, 1));
  put_be32(images, 4, 0xFFFFFFFF);  // 4 billion images declared, one present
  EXPECT_ERROR_WITH(decode_idx(images, test::idx_labels({0})), "declares 4294967295 images of 28x28",
                    "holds only 784 bytes");
  Bytes labels = test::idx_labels({0, 1});
  put_be32(labels, 4, 1000000);
  EXPECT_ERROR_WITH(decode_idx(test::idx_images(2, 1, 1, {0, 0}), labels), "declares 1000000 labels but holds 2");
  // Sides over the image limit fail before the count is even considered.
  Bytes wide = test::idx_images(1, 1, 1, {0});
  put_be32(wide, 12, 16385);
  EXPECT_ERROR_WITH(decode_idx(wide, test::idx_labels({0})), "implausible IDX dimensions 1 x 1 x 16385");
}

}  // namespace
}  // namespace distillery
