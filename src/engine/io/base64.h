#pragma once
// Base64 (RFC 4648, with '=' padding) for the compact weight encoding of the
// model file: little-endian float32 bytes, so a file written on any machine
// reads the same on any other, and JavaScript can view it as a Float32Array.
#include <cstdint>
#include <string>
#include <vector>

namespace distillery {

std::string base64_encode(const uint8_t* bytes, size_t size);
// Throws Error on a character outside the alphabet or a bad length.
std::vector<uint8_t> base64_decode(const std::string& text);

// Floats <-> base64 of their little-endian float32 bytes.
std::string floats_to_base64(const float* values, size_t count);
// Throws Error unless the text decodes to a whole number of floats.
std::vector<float> base64_to_floats(const std::string& text);

}  // namespace distillery
