#include "engine/io/tfjs_quantization.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/core/error.h"
#include "engine/quant/quant_math.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

constexpr float kFloat16Max = 65504.0f;

int levels_max(TfjsWeightDtype dtype) { return dtype == TfjsWeightDtype::Uint8 ? 255 : 65535; }

bool is_affine(TfjsWeightDtype dtype) { return dtype == TfjsWeightDtype::Uint8 || dtype == TfjsWeightDtype::Uint16; }

void append_le(uint32_t bits, int bytes, std::vector<uint8_t>& out) {
  for (int b = 0; b < bytes; ++b) out.push_back(static_cast<uint8_t>(bits >> (8 * b)));
}

uint32_t read_le(const uint8_t* p, int bytes) {
  uint32_t bits = 0;
  for (int b = 0; b < bytes; ++b) bits |= uint32_t(p[b]) << (8 * b);
  return bits;
}

// The scale of the grid whose integer z sits on 0.0 and that reaches down to lo and up to hi.
double scale_with_zero_at(int z, int qmax, double lo, double hi) {
  const double down = z > 0 ? -lo / z : 0.0;
  const double up = z < qmax ? hi / (qmax - z) : 0.0;
  return std::max(down, up);
}

double finite_number(const Json& q, const char* key, const std::string& label) {
  require(q.contains(key), label + ": \"quantization\" has no \"" + key + "\"");
  const Json& v = q[key];
  require(v.is_number() && std::isfinite(v.get<double>()),
          label + ": quantization " + key + " must be a finite number, got " + v.dump());
  return v.get<double>();
}

}  // namespace

const NameTable<TfjsWeightDtype>& tfjs_weight_dtype_names() {
  static const NameTable<TfjsWeightDtype> table("TF.js weight type", {{TfjsWeightDtype::Float32, "float32"},
                                                                      {TfjsWeightDtype::Uint8, "uint8"},
                                                                      {TfjsWeightDtype::Uint16, "uint16"},
                                                                      {TfjsWeightDtype::Float16, "float16"}});
  return table;
}

const char* tfjs_weight_dtype_name(TfjsWeightDtype dtype) { return tfjs_weight_dtype_names().name(dtype); }

int tfjs_weight_bytes_per_value(TfjsWeightDtype dtype) {
  switch (dtype) {
    case TfjsWeightDtype::Float32: return 4;
    case TfjsWeightDtype::Uint16:
    case TfjsWeightDtype::Float16: return 2;
    case TfjsWeightDtype::Uint8: return 1;
  }
  return 4;
}

TfjsAffineRange choose_tfjs_affine_range(const float* values, size_t count, int qmax) {
  if (count == 0) return {};
  double lo = values[0], hi = values[0];
  for (size_t i = 1; i < count; ++i) {
    lo = std::min(lo, double(values[i]));
    hi = std::max(hi, double(values[i]));
  }
  if (lo == hi) return {1.0, lo};  // q = 0 everywhere, value = min exactly
  // A range away from 0 (a BatchNorm variance, say) holds no zero to keep: the
  // finest grid over it.
  if (lo > 0.0 || hi < 0.0) return {(hi - lo) / qmax, lo};
  // 0 at an integer z: of the two integers around where 0 falls on an even
  // grid, the one giving the smaller step. z = 0 only when nothing is below 0.
  const int z_low = lo < 0.0 ? 1 : 0, z_high = hi > 0.0 ? qmax - 1 : qmax;
  const double ideal = qmax * -lo / (hi - lo);
  int best = std::clamp(static_cast<int>(std::floor(ideal)), z_low, z_high);
  const int other = std::clamp(static_cast<int>(std::ceil(ideal)), z_low, z_high);
  if (scale_with_zero_at(other, qmax, lo, hi) < scale_with_zero_at(best, qmax, lo, hi)) best = other;
  const double scale = scale_with_zero_at(best, qmax, lo, hi);
  // q * scale + min for q = z is z * scale - z * scale: exactly 0 in double,
  // the arithmetic TF.js decodes with.
  return {scale, best == 0 ? 0.0 : -(best * scale)};
}

TfjsEncodedWeight encode_tfjs_weight(const float* values, size_t count, TfjsWeightDtype dtype,
                                     const std::string& label) {
  TfjsEncodedWeight out;
  out.bytes.reserve(count * static_cast<size_t>(tfjs_weight_bytes_per_value(dtype)));
  for (size_t i = 0; i < count; ++i)
    require(std::isfinite(values[i]), label + " holds a NaN or infinite value");
  if (dtype == TfjsWeightDtype::Float32) {
    for (size_t i = 0; i < count; ++i) {
      uint32_t bits;
      std::memcpy(&bits, &values[i], sizeof bits);
      append_le(bits, 4, out.bytes);
    }
    return out;
  }
  if (dtype == TfjsWeightDtype::Float16) {
    for (size_t i = 0; i < count; ++i) {
      require(std::fabs(values[i]) <= kFloat16Max, label + " holds " + std::to_string(values[i]) +
                                                       ", beyond float16's range of +-65504 (export it as float32)");
      append_le(float_to_half(values[i]), 2, out.bytes);
    }
    out.quantization = {{"dtype", "float16"}};
    return out;
  }
  const int qmax = levels_max(dtype);
  const TfjsAffineRange range = choose_tfjs_affine_range(values, count, qmax);
  for (size_t i = 0; i < count; ++i) {
    const double q = std::nearbyint((double(values[i]) - range.min) / range.scale);
    append_le(static_cast<uint32_t>(std::clamp(q, 0.0, double(qmax))), tfjs_weight_bytes_per_value(dtype), out.bytes);
  }
  // Doubles, written shortest-round-trip: TF.js must read back exactly the min that puts 0 on the grid.
  out.quantization = {{"dtype", tfjs_weight_dtype_name(dtype)}, {"scale", range.scale}, {"min", range.min}};
  return out;
}

TfjsWeightDtype read_tfjs_quantization(const Json& q, const std::string& label) {
  require(q.is_object() && q.contains("dtype") && q["dtype"].is_string(),
          label + ": \"quantization\" must be an object with a \"dtype\"");
  const std::string name = q["dtype"].get<std::string>();
  const NameTable<TfjsWeightDtype>& names = tfjs_weight_dtype_names();
  require(names.contains(name) && names.parse(name) != TfjsWeightDtype::Float32,
          label + ": quantization dtype '" + name + "' is not one TF.js writes (uint8, uint16 or float16)");
  const TfjsWeightDtype dtype = names.parse(name);
  if (!is_affine(dtype)) return dtype;
  const double scale = finite_number(q, "scale", label);
  finite_number(q, "min", label);
  require(scale > 0.0, label + ": quantization scale is " + q["scale"].dump() +
                           "; a scale must be a positive, finite number");
  return dtype;
}

std::vector<float> decode_tfjs_values(const uint8_t* bytes, size_t count, TfjsWeightDtype dtype, const Json& q) {
  std::vector<float> values(count);
  const int width = tfjs_weight_bytes_per_value(dtype);
  if (dtype == TfjsWeightDtype::Float32) {
    for (size_t i = 0; i < count; ++i) {
      const uint32_t bits = read_le(bytes + 4 * i, 4);
      std::memcpy(&values[i], &bits, sizeof bits);
    }
  } else if (dtype == TfjsWeightDtype::Float16) {
    for (size_t i = 0; i < count; ++i) values[i] = half_to_float(static_cast<uint16_t>(read_le(bytes + 2 * i, 2)));
  } else {
    const double scale = q["scale"].get<double>(), min = q["min"].get<double>();
    for (size_t i = 0; i < count; ++i)
      values[i] = static_cast<float>(double(read_le(bytes + size_t(width) * i, width)) * scale + min);
  }
  return values;
}

}  // namespace distillery
