#pragma once
// Checks on image bytes that stb_image (Debian's 2.27) mishandles, run before
// stb sees the file. Each was found by a fuzzer (fuzz/fuzz_image) and has a
// regression test in tests/engine/limits/fuzz_regressions_test.cpp.
#include <cstdint>
#include <vector>

namespace distillery {

// What is wrong with a JPEG's Huffman tables for stb, or nullptr:
// - a table (DHT segment) declaring more than 256 codes, which makes stb 2.27
//   write past its 257-entry code-size table (2.28 rejects them);
// - a scan decoding with a table no earlier DHT defined: stb allocates its
//   tables without clearing them and would index with whatever the memory
//   held, far outside the 256-entry symbol table (fuzz_image, sixth session).
// Walks the marker segments as stb does (fill bytes, stray bytes, entropy-coded
// data after SOS); past the end stb reads zeros, and so does this.
const char* jpeg_huffman_problem(const std::vector<uint8_t>& bytes);

// What is wrong with a PNG's chunks for stb, or nullptr. stb_image allocates an
// IDAT chunk's declared length before reading it (a 117-byte file declaring
// 1 GB took 2 GB), and copies 0 bytes to a buffer it has not allocated yet when
// the first IDAT is empty (memcpy to NULL, undefined behaviour that lets the
// compiler drop stb's later null checks). A chunk running past the end of the
// file could never decode, so refusing it loses no image.
const char* png_chunk_problem(const std::vector<uint8_t>& bytes);

}  // namespace distillery
