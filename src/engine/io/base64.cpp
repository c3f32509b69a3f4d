#include "engine/io/base64.h"

#include <cstring>

#include "engine/core/error.h"

namespace distillery {
namespace {

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool little_endian_host() {
  const uint32_t probe = 1;
  uint8_t first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

}  // namespace

std::string base64_encode(const uint8_t* bytes, size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const uint32_t v = (uint32_t(bytes[i]) << 16) | (uint32_t(bytes[i + 1]) << 8) | bytes[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (size - i == 1) {
    const uint32_t v = uint32_t(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (size - i == 2) {
    const uint32_t v = (uint32_t(bytes[i]) << 16) | (uint32_t(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::vector<uint8_t> base64_decode(const std::string& text) {
  require(text.size() % 4 == 0, "base64 text length " + std::to_string(text.size()) + " is not a multiple of 4");
  size_t padding = 0;
  if (!text.empty() && text[text.size() - 1] == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      int d;
      if (c == '=' && last && k >= 4 - padding) {
        d = 0;
      } else {
        d = decode_char(c);
        require(d >= 0, "invalid base64 character at offset " + std::to_string(i + k));
      }
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out.push_back(static_cast<uint8_t>(v >> 16));
    if (!last || padding < 2) out.push_back(static_cast<uint8_t>(v >> 8));
    if (!last || padding < 1) out.push_back(static_cast<uint8_t>(v));
  }
  return out;
}

std::string floats_to_base64(const float* values, size_t count) {
  std::vector<uint8_t> bytes(count * 4);
  if (count == 0) return "";  // memcpy from a null pointer is undefined even for 0 bytes
  std::memcpy(bytes.data(), values, bytes.size());
  if (!little_endian_host()) {
    for (size_t i = 0; i < bytes.size(); i += 4) {
      std::swap(bytes[i], bytes[i + 3]);
      std::swap(bytes[i + 1], bytes[i + 2]);
    }
  }
  return base64_encode(bytes.data(), bytes.size());
}

std::vector<float> base64_to_floats(const std::string& text) {
  std::vector<uint8_t> bytes = base64_decode(text);
  require(bytes.size() % 4 == 0,
          "base64 data holds " + std::to_string(bytes.size()) + " bytes, not a whole number of float32 values");
  if (!little_endian_host()) {
    for (size_t i = 0; i < bytes.size(); i += 4) {
      std::swap(bytes[i], bytes[i + 3]);
      std::swap(bytes[i + 1], bytes[i + 2]);
    }
  }
  std::vector<float> out(bytes.size() / 4);
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());  // an empty vector's data() may be null
  return out;
}

}  // namespace distillery
