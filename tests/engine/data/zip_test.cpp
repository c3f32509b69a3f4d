// ZIP reading: stored and deflated entries, skipped clutter, hostile names,
// corruption and the zip-bomb limits.
#include "engine/data/zip.h"

#include <gtest/gtest.h>

#include "engine/data/data_builders.h"
#include "engine/data/test_util.h"

namespace distillery {
namespace {

using test::Bytes;
using test::ZipBuilder;

Bytes text(const std::string& s) { return test::to_bytes(s); }

TEST(UnzipTest, ExtractsStoredAndDeflatedEntries) {
  Bytes big(20000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = uint8_t(i * 7 % 251);
  const Bytes archive = ZipBuilder().add("a.txt", text("stored bytes")).add("dir/b.bin", big, true).build();
  EXPECT_TRUE(is_zip(archive));
  const std::vector<FileEntry> files = unzip(archive);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "a.txt");
  EXPECT_EQ(files[0].bytes, text("stored bytes"));
  EXPECT_EQ(files[1].path, "dir/b.bin");
  EXPECT_EQ(files[1].bytes, big);
}

TEST(UnzipTest, ExtractsEmptyFilesAndEmptyArchives) {
  const std::vector<FileEntry> files = unzip(ZipBuilder().add("empty.txt", {}, true).build());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].bytes.empty());
  EXPECT_TRUE(unzip(ZipBuilder().build()).empty());
}

TEST(UnzipTest, SkipsDirectoriesMacMetadataAndDotfiles) {
  const Bytes archive = ZipBuilder()
                            .add_directory("cats/")
                            .add("cats/1.png", text("x"))
                            .add("__MACOSX/cats/._1.png", text("resource fork"))
                            .add("cats/.DS_Store", text("finder"))
                            .add(".git/config", text("git"))
                            .build();
  const std::vector<FileEntry> files = unzip(archive);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "cats/1.png");
}

TEST(UnzipTest, NormalisesWindowsSeparatorsAndDotSegments) {
  const std::vector<FileEntry> files = unzip(ZipBuilder().add("cats\\1.png", text("a")).add("./dogs//2.png", text("b")).build());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "cats/1.png");
  EXPECT_EQ(files[1].path, "dogs/2.png");
}

TEST(UnzipTest, RejectsEntriesThatEscapeTheFolder) {
  EXPECT_ERROR_WITH(unzip(ZipBuilder().add("ok.txt", text("a")).add("../evil.sh", text("b")).build(), "up.zip"),
                    "up.zip", "'../evil.sh'", "..");
  EXPECT_ERROR_WITH(unzip(ZipBuilder().add("cats/../../x", text("b")).build(), "up.zip"), "cats/../../x");
  EXPECT_ERROR_WITH(unzip(ZipBuilder().add("/etc/passwd", text("b")).build(), "abs.zip"), "abs.zip", "absolute");
  EXPECT_ERROR_WITH(unzip(ZipBuilder().add("C:\\windows\\x", text("b")).build(), "abs.zip"), "absolute");
}

TEST(UnzipTest, RejectsACorruptEntry) {
  Bytes archive = ZipBuilder().add("a.txt", text("hello hello hello")).build();
  archive[30 + 5 + 2] ^= 0x01;  // a byte of the stored data, after the 30-byte header and "a.txt"
  EXPECT_ERROR_WITH(unzip(archive, "bad.zip"), "bad.zip", "'a.txt'", "CRC-32 mismatch");
}

TEST(UnzipTest, RejectsCorruptDeflatedData) {
  Bytes data(5000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * i);
  Bytes archive = ZipBuilder().add("d.bin", data, true).build();
  archive[30 + 5 + 40] ^= 0xFF;
  EXPECT_ERROR_WITH(unzip(archive, "bad.zip"), "bad.zip", "'d.bin'");
}

TEST(UnzipTest, RejectsTruncatedArchives) {
  const Bytes archive = ZipBuilder().add("a.txt", text("hello")).add("b.txt", text("world"), true).build();
  for (size_t keep : {size_t(0), size_t(10), size_t(40), archive.size() - 30, archive.size() - 1}) {
    const Bytes cut(archive.begin(), archive.begin() + long(keep));
    try {
      unzip(cut, "cut.zip");
      ADD_FAILURE() << "an archive cut to " << keep << " bytes was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("cut.zip"), std::string::npos) << e.what();
    }
  }
}

TEST(UnzipTest, RejectsDataRunningPastTheEnd) {
  // The central directory claims more compressed bytes than the file holds.
  Bytes archive = ZipBuilder().add("a.txt", text("hello")).build();
  const size_t central = 30 + 5 + 5;
  archive[central + 20] = 0xFF;  // compressed size low byte
  archive[central + 24] = 0xFF;  // uncompressed size, kept equal for a stored entry
  EXPECT_ERROR_WITH(unzip(archive, "long.zip"), "long.zip", "past the end");
}

TEST(UnzipTest, RejectsUnsupportedMethodsAndEncryption) {
  EXPECT_ERROR_WITH(unzip(ZipBuilder().add_with_method("a.bz2", text("x"), 12).build(), "m.zip"), "'a.bz2'",
                    "compression method 12");
  EXPECT_ERROR_WITH(unzip(ZipBuilder().add("secret.txt", text("x"), false, 1).build(), "e.zip"), "'secret.txt'",
                    "encrypted");
}

TEST(UnzipTest, EnforcesTheEntryCountLimit) {
  ZipBuilder builder;
  for (int i = 0; i < 6; ++i) builder.add("f" + std::to_string(i), text("x"));
  DataLimits limits;
  limits.max_files = 5;
  EXPECT_ERROR_WITH(unzip(builder.build(), "many.zip", limits), "many.zip", "6 entries", "limit of 5");
  limits.max_files = 6;
  EXPECT_EQ(unzip(builder.build(), "many.zip", limits).size(), 6u);
}

TEST(UnzipTest, EnforcesTheInflatedSizeLimitBeforeInflating) {
  // A small archive of zeros that inflates far beyond its size: a little zip bomb.
  const Bytes zeros(300000, 0);
  const Bytes archive = ZipBuilder().add("a", zeros, true).add("b", zeros, true).build();
  EXPECT_LT(archive.size() * 50, zeros.size() * 2);
  DataLimits limits;
  limits.max_inflated_bytes = 500000;
  EXPECT_ERROR_WITH(unzip(archive, "bomb.zip", limits), "bomb.zip", "limit of 500000", "'b'");
  limits.max_inflated_bytes = 600000;
  EXPECT_EQ(unzip(archive, "bomb.zip", limits).size(), 2u);
}

TEST(UnzipTest, RejectsBytesThatAreNotAnArchive) {
  EXPECT_FALSE(is_zip(text("just some text that is long enough")));
  EXPECT_ERROR_WITH(unzip(text("just some text that is long enough"), "fake.zip"), "fake.zip", "not a ZIP");
}

}  // namespace
}  // namespace distillery
