// gzip, raw inflate and CRC-32: round trips through every header field, and
// every way a gzip file can be broken ending in a clear Error.
#include "engine/data/gzip.h"

#include <gtest/gtest.h>

#include "engine/data/crc32.h"
#include "engine/data/data_builders.h"
#include "engine/data/inflate.h"
#include "engine/data/test_util.h"

namespace distillery {
namespace {

using test::Bytes;

// Bytes that compress somewhat: a repeating pattern with noise.
Bytes sample_payload(size_t size, uint32_t seed = 1) {
  Bytes data(size);
  for (size_t i = 0; i < size; ++i) {
    seed = seed * 1664525u + 1013904223u;
    data[i] = uint8_t((i % 17) * 13 + ((seed >> 28) & 3));
  }
  return data;
}

TEST(Crc32Test, MatchesTheStandardCheckValue) {
  const Bytes digits = test::to_bytes("123456789");
  EXPECT_EQ(crc32(digits.data(), digits.size()), 0xCBF43926u);
  // Continuing a CRC over a split buffer gives the same value.
  EXPECT_EQ(crc32(digits.data() + 4, 5, crc32(digits.data(), 4)), 0xCBF43926u);
}

TEST(InflateTest, DecodesStreamsThatEndExactlyAtTheBufferEnd) {
  // stb_image 2.27 needs slack after the last code; inflate_raw must supply it
  // for every length, not just lucky ones.
  for (size_t size : {0, 1, 2, 3, 7, 100, 1000, 4099, 65536}) {
    const Bytes data = sample_payload(size, uint32_t(size) + 3);
    const Bytes deflated = test::raw_deflate(data);
    EXPECT_EQ(inflate_raw(deflated.data(), deflated.size(), data.size(), "x"), data) << "size " << size;
  }
}

TEST(InflateTest, RejectsWrongRecordedSizes) {
  const Bytes data = sample_payload(1000);
  const Bytes deflated = test::raw_deflate(data);
  EXPECT_ERROR_WITH(inflate_raw(deflated.data(), deflated.size(), 999, "entry a"), "entry a", "more than");
  EXPECT_ERROR_WITH(inflate_raw(deflated.data(), deflated.size(), 1001, "entry a"), "entry a", "1000");
  // A size no deflate stream of this length can reach is refused before allocating.
  EXPECT_ERROR_WITH(inflate_raw(deflated.data(), 10, 100000000, "entry b"), "entry b", "truncated");
}

TEST(GunzipTest, RoundTripsWithAPlainHeader) {
  const Bytes data = sample_payload(50000);
  const Bytes packed = test::gzip(data);
  EXPECT_TRUE(is_gzip(packed));
  EXPECT_LT(packed.size(), data.size());
  EXPECT_EQ(gunzip(packed), data);
}

TEST(GunzipTest, SkipsEveryOptionalHeaderField) {
  const Bytes data = sample_payload(3000);
  test::GzipFields fields;
  fields.name = "train-images-idx3-ubyte";
  fields.comment = "a comment";
  fields.extra = {1, 2, 3, 4, 5};
  fields.header_crc = true;
  EXPECT_EQ(gunzip(test::gzip(data, fields)), data);
}

TEST(GunzipTest, RoundTripsAnEmptyPayload) { EXPECT_TRUE(gunzip(test::gzip({})).empty()); }

TEST(GunzipTest, RejectsBytesThatAreNotGzip) {
  EXPECT_FALSE(is_gzip(test::to_bytes("hello")));
  EXPECT_ERROR_WITH(gunzip(test::to_bytes("hello, world"), "notes.gz"), "notes.gz", "not gzip");
}

TEST(GunzipTest, RejectsTruncatedFilesAtEveryLength) {
  const Bytes packed = test::gzip(sample_payload(5000), test::GzipFields{"name.bin", "", {}, false});
  for (size_t keep : {size_t(0), size_t(2), size_t(12), size_t(20), packed.size() / 2, packed.size() - 5,
                      packed.size() - 1}) {
    const Bytes cut(packed.begin(), packed.begin() + long(keep));
    try {
      gunzip(cut, "cut.gz");
      ADD_FAILURE() << "a gzip cut to " << keep << " bytes was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("cut.gz"), std::string::npos) << e.what();
    }
  }
}

TEST(GunzipTest, RejectsACorruptChecksum) {
  Bytes packed = test::gzip(sample_payload(2000));
  packed[packed.size() - 8] ^= 0x55;  // first byte of the stored CRC-32
  EXPECT_ERROR_WITH(gunzip(packed, "data.gz"), "data.gz", "CRC-32 mismatch");
}

TEST(GunzipTest, RejectsCorruptCompressedData) {
  const Bytes data = sample_payload(20000);
  Bytes packed = test::gzip(data);
  for (size_t at = 12; at < packed.size() - 8; at += 97) {
    Bytes broken = packed;
    broken[at] ^= 0xA5;
    // Either the deflate stream breaks or the checksum catches it; never a silent success.
    try {
      const Bytes out = gunzip(broken, "broken.gz");
      ADD_FAILURE() << "corruption at byte " << at << " went unnoticed";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("broken.gz"), std::string::npos) << e.what();
    }
  }
}

TEST(GunzipTest, RejectsAHeaderChecksumMismatch) {
  test::GzipFields fields;
  fields.name = "x";
  fields.header_crc = true;
  Bytes packed = test::gzip(sample_payload(100), fields);
  packed[10] = 'y';  // the file name, covered by the header CRC
  EXPECT_ERROR_WITH(gunzip(packed, "h.gz"), "h.gz", "header CRC");
}

TEST(GunzipTest, RejectsReservedFlagsAndOtherMethods) {
  Bytes packed = test::gzip(sample_payload(100));
  Bytes reserved = packed;
  reserved[3] |= 0x20;
  EXPECT_ERROR_WITH(gunzip(reserved, "r.gz"), "r.gz", "reserved");
  Bytes method = packed;
  method[2] = 7;
  EXPECT_ERROR_WITH(gunzip(method, "m.gz"), "m.gz", "method 7");
}

TEST(GunzipTest, EnforcesTheSizeLimitBeforeInflating) {
  const Bytes packed = test::gzip(Bytes(100000, 0));
  EXPECT_EQ(gunzip(packed, "zeros.gz", 100000).size(), 100000u);
  EXPECT_ERROR_WITH(gunzip(packed, "zeros.gz", 99999), "zeros.gz", "over the limit of 99999");
}

}  // namespace
}  // namespace distillery
