#include "engine/data/stb_guards.h"

#include <algorithm>
#include <cstring>

namespace distillery {

namespace {

// Where a scan's entropy-coded data ends: at the FF of the next marker. As
// stb's bit reader sees it, FF, any number of fill bytes (FF) and then 00 is
// a stuffed data byte, and FF D0..D7 a restart; both belong to the data.
size_t end_of_entropy_coded_data(const std::vector<uint8_t>& b, size_t pos) {
  const size_t n = b.size();
  while (pos + 1 < n) {
    if (b[pos] != 0xFF) {
      ++pos;
      continue;
    }
    size_t next = pos + 1;
    while (next < n && b[next] == 0xFF) ++next;
    if (next < n && (b[next] == 0 || (b[next] >= 0xD0 && b[next] <= 0xD7))) {
      pos = next + 1;
      continue;
    }
    return next - 1;
  }
  return pos;
}

}  // namespace

const char* jpeg_huffman_problem(const std::vector<uint8_t>& b) {
  const size_t n = b.size();
  auto at = [&](size_t i) -> size_t { return i < n ? b[i] : 0; };
  // Bit (4 * class + index) is set once a DHT segment defines that table; class 0 is DC, 1 is AC.
  unsigned defined_tables = 0;
  auto defined = [&](size_t table_class, size_t index) {
    return index > 3 || (defined_tables >> (4 * table_class + index) & 1);  // stb refuses indices over 3 itself
  };
  int progressive = -1;  // unknown until the first frame header (SOF0, SOF1 or SOF2, the ones stb reads)
  size_t pos = 2;        // after SOI
  while (pos + 1 < n) {
    const uint8_t marker = b[pos + 1];
    if (b[pos] != 0xFF || marker == 0xFF) {  // a stray or fill byte: stb skips it too
      ++pos;
      continue;
    }
    pos += 2;
    if (marker == 0xD9) break;                                                              // EOI
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length field
    const size_t length = at(pos) << 8 | at(pos + 1);
    if (marker >= 0xC0 && marker <= 0xC2 && progressive < 0) progressive = marker == 0xC2;
    if (marker == 0xC4) {
      size_t table = pos + 2;
      for (int64_t remaining = int64_t(length) - 2; remaining > 0;) {
        size_t codes = 0;
        for (int i = 1; i <= 16; ++i) codes += at(table + size_t(i));
        if (codes > 256) return "a Huffman table declares more than 256 codes";
        const size_t table_class = at(table) >> 4, index = at(table) & 15;
        if (table_class <= 1 && index <= 3) defined_tables |= 1u << (4 * table_class + index);
        table += 17 + codes;
        remaining -= int64_t(17 + codes);
      }
    }
    if (marker == 0xDA && progressive >= 0) {  // stb decodes no scan before the frame header: it stops there
      // Which tables the scan decodes with, as stb reads it: a baseline scan uses both of each component's tables;
      // a progressive DC scan (Ss = 0) only the DC table, and none when it refines (Ah > 0); an AC scan the AC one.
      const size_t components = at(pos + 2), selection = pos + 3 + 2 * components;
      const bool dc_scan = at(selection) == 0, refining = at(selection + 2) >> 4 != 0;
      const bool uses_dc = !progressive || (dc_scan && !refining), uses_ac = !progressive || !dc_scan;
      for (size_t c = 0; c < components; ++c) {
        const size_t tables = at(pos + 4 + 2 * c);
        if ((uses_dc && !defined(0, tables >> 4)) || (uses_ac && !defined(1, tables & 15)))
          return "a scan decodes with a Huffman table the file has not defined";
      }
    }
    pos += std::max<size_t>(length, 2);
    if (marker == 0xDA) pos = end_of_entropy_coded_data(b, pos);
  }
  return nullptr;
}

const char* png_chunk_problem(const std::vector<uint8_t>& b) {
  // Chunks after the 8-byte signature: length (4, big-endian), type (4), data, CRC (4). stb ignores the CRC.
  bool first_idat = true;
  for (size_t pos = 8; pos + 8 <= b.size();) {
    const uint64_t length = uint64_t(b[pos]) << 24 | uint64_t(b[pos + 1]) << 16 | uint64_t(b[pos + 2]) << 8 | b[pos + 3];
    if (std::memcmp(&b[pos + 4], "IEND", 4) == 0) break;
    if (std::memcmp(&b[pos + 4], "IDAT", 4) == 0) {
      if (first_idat && length == 0) return "its first IDAT chunk is empty";
      if (pos + 8 + length > b.size()) return "an IDAT chunk runs past the end of the file, cut short?";
      first_idat = false;
    }
    pos += 12 + length;
  }
  return nullptr;
}

}  // namespace distillery
