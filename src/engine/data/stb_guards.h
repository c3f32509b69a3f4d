#pragma once
// Checks on image bytes that stb_image (Debian's 2.27) mishandles, run before
// stb sees the file. Each was found by a fuzzer (fuzz/fuzz_image) and has a
// regression test in tests/engine/limits/fuzz_regressions_test.cpp.
#include <cstdint>
#include <vector>

namespace distillery {

// False when a JPEG Huffman table (DHT segment) declares more than 256 codes:
// stb 2.27 then writes past its 257-entry code-size table (2.28 rejects them).
// Walks the marker segments as stb does (fill bytes, stray bytes, entropy-coded
// data after SOS); past the end stb reads zeros, and so does this.
bool jpeg_huffman_tables_fit(const std::vector<uint8_t>& bytes);

// What is wrong with a PNG's chunks for stb, or nullptr. stb_image allocates an
// IDAT chunk's declared length before reading it (a 117-byte file declaring
// 1 GB took 2 GB), and copies 0 bytes to a buffer it has not allocated yet when
// the first IDAT is empty (memcpy to NULL, undefined behaviour that lets the
// compiler drop stb's later null checks). A chunk running past the end of the
// file could never decode, so refusing it loses no image.
const char* png_chunk_problem(const std::vector<uint8_t>& bytes);

}  // namespace distillery
