// Augmentation of training batches.
//   1. The spec: parsing, canonical text, limits
//   2. Portable randomness: a per-sample generator, exp/log/sin/cos and Beta
//      draws from + - * / only, so every platform rounds alike
//   3. Geometry: integer shift and flip (exact copies), or one bilinear
//      resampling when rotating or scaling
//   4. Mixing: mixup and cutmix with a partner from a shuffled batch
//
// This file is compiled with -ffp-contract=off (CMakeLists.txt): a fused
// multiply-add rounds once where WebAssembly rounds twice, and the bits must
// not depend on the machine.
#include "engine/data/augment.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "engine/core/error.h"
#include "engine/core/name_table.h"
#include "engine/core/rng.h"

namespace distillery {

// ---------------------------------------------------------------- 1. the spec
namespace {

// The items of a spec ("shift:2,flip"), in the order the canonical text lists them.
enum class AugmentItem { kShift, kFlip, kRotate, kScale, kMixup, kCutmix };

const NameTable<AugmentItem>& augment_item_names() {
  static const NameTable<AugmentItem> table("augmentation", {{AugmentItem::kShift, "shift"},
                                                             {AugmentItem::kFlip, "flip"},
                                                             {AugmentItem::kRotate, "rotate"},
                                                             {AugmentItem::kScale, "scale"},
                                                             {AugmentItem::kMixup, "mixup"},
                                                             {AugmentItem::kCutmix, "cutmix"}});
  return table;
}

std::string item_name(AugmentItem item) { return augment_item_names().name(item); }

constexpr const char* kAugmentHelp = "use shift:PIXELS, flip, rotate:DEGREES, scale:FRACTION, mixup:A, cutmix:A or none";

float parse_number(const std::string& item, const std::string& value) {
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  require(!value.empty() && end == value.c_str() + value.size() && std::isfinite(v),
          "augment: '" + item + "' is not a number");
  return static_cast<float>(v);
}

// The shortest %g text that reads back as the same float.
std::string short_float(float v) {
  char buf[32];
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(v));
    if (std::strtof(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace

AugmentSpec parse_augment_spec(const std::string& text) {
  AugmentSpec spec;
  if (text.empty() || text == "none") return spec;
  std::vector<std::string> seen;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(begin, end - begin);
    begin = end + 1;
    const size_t colon = item.find(':');
    const std::string name = item.substr(0, colon);
    const bool has_value = colon != std::string::npos;
    const std::string value = has_value ? item.substr(colon + 1) : "";
    require(!item.empty(), "augment: empty item in '" + text + "' (" + kAugmentHelp + ")");
    require(std::find(seen.begin(), seen.end(), name) == seen.end(), "augment: '" + name + "' is given twice");
    seen.push_back(name);
    require(augment_item_names().contains(name), "augment: unknown item '" + item + "' (" + kAugmentHelp + ")");
    const AugmentItem kind = augment_item_names().parse(name);
    if (kind == AugmentItem::kFlip) {
      require(!has_value, "augment: 'flip' takes no value");
      spec.flip = true;
      continue;
    }
    require(has_value,
            "augment: '" + name + "' needs a value, e.g. " + name + (kind == AugmentItem::kShift ? ":2" : ":0.2"));
    const float number = parse_number(item, value);
    switch (kind) {
      case AugmentItem::kShift:
        require(number == std::floor(number) && std::fabs(number) < 1e6f,
                "augment: '" + item + "' is not a whole number of pixels");
        spec.shift = static_cast<int>(number);
        break;
      case AugmentItem::kRotate: spec.rotate = number; break;
      case AugmentItem::kScale: spec.scale = number; break;
      case AugmentItem::kMixup: spec.mixup = number; break;
      case AugmentItem::kCutmix: spec.cutmix = number; break;
      case AugmentItem::kFlip: break;
    }
  }
  validate_augment_spec(spec);
  return spec;
}

std::string augment_spec_text(const AugmentSpec& s) {
  std::string out;
  auto add = [&out](const std::string& item) { out += (out.empty() ? "" : ",") + item; };
  if (s.shift > 0) add(item_name(AugmentItem::kShift) + ":" + std::to_string(s.shift));
  if (s.flip) add(item_name(AugmentItem::kFlip));
  if (s.rotate > 0) add(item_name(AugmentItem::kRotate) + ":" + short_float(s.rotate));
  if (s.scale > 0) add(item_name(AugmentItem::kScale) + ":" + short_float(s.scale));
  if (s.mixup > 0) add(item_name(AugmentItem::kMixup) + ":" + short_float(s.mixup));
  if (s.cutmix > 0) add(item_name(AugmentItem::kCutmix) + ":" + short_float(s.cutmix));
  return out.empty() ? "none" : out;
}

void validate_augment_spec(const AugmentSpec& s) {
  require(s.shift >= 0 && s.shift <= 64, "augment: shift must be 0 to 64 pixels, got " + std::to_string(s.shift));
  require(s.rotate >= 0 && s.rotate <= 180, "augment: rotate must be 0 to 180 degrees, got " + short_float(s.rotate));
  require(s.scale >= 0 && s.scale <= 0.9f, "augment: scale must be 0 to 0.9, got " + short_float(s.scale));
  require(s.mixup >= 0 && s.mixup <= 100, "augment: mixup must be 0 (off) to 100, got " + short_float(s.mixup));
  require(s.cutmix >= 0 && s.cutmix <= 100, "augment: cutmix must be 0 (off) to 100, got " + short_float(s.cutmix));
}

void BatchTargets::assign_labels(const Dataset& data, const int* indices, int count) {
  label.resize(size_t(count));
  partner.resize(size_t(count));
  weight.resize(size_t(count));
  partner_position.resize(size_t(count));
  for (int k = 0; k < count; ++k) {
    assert(indices[k] >= 0 && indices[k] < data.size());
    label[size_t(k)] = partner[size_t(k)] = data.labels[size_t(indices[k])];
    weight[size_t(k)] = 1.0f;
    partner_position[size_t(k)] = k;
  }
  mixed = false;
}

// ---------------------------------------------------------------- 2. portable randomness
namespace {

// A generator per (seed, step, position): splitmix64's finaliser over the three.
Rng sample_rng(uint64_t seed, int64_t step, int64_t position) {
  uint64_t z = seed ^ (0x9E3779B97F4A7C15ull * static_cast<uint64_t>(step + 1));
  z ^= 0xD1B54A32D192ED03ull * static_cast<uint64_t>(position + 2);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return Rng(z ^ (z >> 31));
}

constexpr double kLn2 = 0.693147180559945309417;
constexpr double kPi = 3.14159265358979323846;

// exp, log, sin and cos in double from + - * / and exact scaling by powers of
// two: libm's last bit differs between glibc and the WebAssembly sysroot.
double portable_exp(double x) {
  x = std::max(-700.0, std::min(700.0, x));
  const double k = std::nearbyint(x / kLn2);
  const double r = x - k * kLn2;  // |r| <= ln2 / 2
  double term = 1, sum = 1;
  for (int i = 1; i <= 16; ++i) {
    term = term * r / i;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(k));
}

double portable_log(double x) {  // x > 0
  int e = 0;
  double m = std::frexp(x, &e);  // m in [0.5, 1)
  if (m < 0.70710678118654752) {
    m *= 2;
    --e;
  }
  const double s = (m - 1) / (m + 1);  // |s| <= 0.172
  const double s2 = s * s;
  double power = s, sum = 0;
  for (int i = 1; i <= 31; i += 2) {
    sum += power / i;
    power *= s2;
  }
  return 2 * sum + e * kLn2;
}

double portable_sin(double x) {  // |x| <= pi
  if (x > kPi / 2) x = kPi - x;
  if (x < -kPi / 2) x = -kPi - x;
  const double x2 = x * x;
  double term = x, sum = x;
  for (int i = 1; i <= 10; ++i) {
    term = -term * x2 / ((2 * i) * (2 * i + 1));
    sum += term;
  }
  return sum;
}

double portable_cos(double x) { return portable_sin(kPi / 2 - std::fabs(x)); }

double portable_normal(Rng& rng) {
  const double u1 = std::max(1e-12, static_cast<double>(rng.uniform()));
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * portable_log(u1)) * portable_cos(2 * kPi * u2 - kPi);
}

// Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through Gamma(shape + 1) * U^(1/shape).
double portable_gamma(Rng& rng, double shape) {
  if (shape < 1) {
    const double u = std::max(1e-12, static_cast<double>(rng.uniform()));
    return portable_gamma(rng, shape + 1) * portable_exp(portable_log(u) / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9 * d);
  for (;;) {
    const double x = portable_normal(rng);
    double v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const double u = std::max(1e-12, static_cast<double>(rng.uniform()));
    if (portable_log(u) < 0.5 * x * x + d - d * v + d * portable_log(v)) return d * v;
  }
}

float portable_beta(Rng& rng, float a) {
  const double x = portable_gamma(rng, a), y = portable_gamma(rng, a);
  return x + y > 0 ? static_cast<float>(x / (x + y)) : 0.5f;
}

// ---------------------------------------------------------------- 3. geometry

struct Placement {
  int dx = 0, dy = 0;  // translation in pixels
  bool flip = false;
  float cos_a = 1, sin_a = 0, zoom = 1;
};

Placement draw_placement(const AugmentSpec& spec, Rng& rng) {
  Placement p;
  if (spec.shift > 0) {
    const uint32_t span = static_cast<uint32_t>(2 * spec.shift + 1);
    p.dx = static_cast<int>(rng.below(span)) - spec.shift;
    p.dy = static_cast<int>(rng.below(span)) - spec.shift;
  }
  if (spec.flip) p.flip = rng.below(2) == 1;
  if (spec.rotate > 0) {
    const double angle = (2.0 * rng.uniform() - 1.0) * spec.rotate * (kPi / 180.0);
    p.cos_a = static_cast<float>(portable_cos(angle));
    p.sin_a = static_cast<float>(portable_sin(angle));
  }
  if (spec.scale > 0) p.zoom = 1.0f + (2.0f * rng.uniform() - 1.0f) * spec.scale;
  return p;
}

// Output pixel (y, x) shows source pixel (y - dy, x' - dx), x' mirrored when
// flipping; outside the image is black (pixel value 0). Exact table lookups.
void place_exact(const uint8_t* src, int h, int w, int c, const Placement& p, const float* table, float* dst) {
  for (int y = 0; y < h; ++y) {
    const int sy = y - p.dy;
    for (int x = 0; x < w; ++x) {
      const int shifted = x - p.dx;
      const int sx = p.flip ? w - 1 - shifted : shifted;
      float* out = dst + (int64_t(y) * w + x) * c;
      if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
        for (int k = 0; k < c; ++k) out[k] = table[0];
      } else {
        const uint8_t* in = src + (int64_t(sy) * w + sx) * c;
        for (int k = 0; k < c; ++k) out[k] = table[in[k]];
      }
    }
  }
}

// Rotation and zoom about the image centre, then the shift and flip, sampled
// bilinearly in pixel values and preprocessed after (the map is affine, so
// for whole pixel values this is the table's value).
void place_resampled(const uint8_t* src, int h, int w, int c, const Placement& p, const Preprocessing& pre,
                     float* dst) {
  const float cx = 0.5f * float(w - 1), cy = 0.5f * float(h - 1);
  const float inv_zoom = 1.0f / p.zoom;
  float pixel[4];
  assert(c <= 4);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const float u = float(x - p.dx) - cx, v = float(y - p.dy) - cy;
      float sx = (p.cos_a * u + p.sin_a * v) * inv_zoom + cx;
      const float sy = (p.cos_a * v - p.sin_a * u) * inv_zoom + cy;
      if (p.flip) sx = float(w - 1) - sx;
      const float fx0 = std::floor(sx), fy0 = std::floor(sy);
      const int x0 = int(fx0), y0 = int(fy0);
      const float ax = sx - fx0, ay = sy - fy0;
      for (int k = 0; k < c; ++k) pixel[k] = 0.0f;
      for (int corner = 0; corner < 4; ++corner) {
        const int yy = y0 + (corner >> 1), xx = x0 + (corner & 1);
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const float wgt = ((corner >> 1) ? ay : 1.0f - ay) * ((corner & 1) ? ax : 1.0f - ax);
        const uint8_t* in = src + (int64_t(yy) * w + xx) * c;
        for (int k = 0; k < c; ++k) pixel[k] += wgt * float(in[k]);
      }
      float* out = dst + (int64_t(y) * w + x) * c;
      for (int k = 0; k < c; ++k) out[k] = (pixel[k] * pre.scale - pre.mean) / pre.std;
    }
  }
}

}  // namespace

// ---------------------------------------------------------------- 4. mixing

BatchAugmenter::BatchAugmenter(const AugmentSpec& spec, uint64_t seed) : spec_(spec), seed_(seed) {
  validate_augment_spec(spec_);
}

void BatchAugmenter::draw(const Dataset& data, const int* indices, int count, const Preprocessing& pre,
                          int64_t step, Tensor& images, BatchTargets& targets) {
  assert(pre.std != 0.0f);
  const int h = data.height, w = data.width, c = data.channels;
  const int64_t image_floats = data.image_bytes();
  images.resize(Shape{h, w, c}.with_batch(count));
  targets.assign_labels(data, indices, count);
  float table[256];
  for (int v = 0; v < 256; ++v) table[v] = (float(v) * pre.scale - pre.mean) / pre.std;

  for (int k = 0; k < count; ++k) {
    Rng rng = sample_rng(seed_, step, k);
    const Placement placement = draw_placement(spec_, rng);
    const uint8_t* src = data.image(indices[k]);
    float* dst = images.data() + image_floats * k;
    if (spec_.resamples())
      place_resampled(src, h, w, c, placement, pre, dst);
    else
      place_exact(src, h, w, c, placement, table, dst);
  }
  if (!spec_.mixes() || count < 2) return;

  // Partners: a shuffle of the batch's positions, drawn once per step.
  std::vector<int>& partner = targets.partner_position;
  Rng batch_rng = sample_rng(seed_, step, -1);
  for (int k = count - 1; k > 0; --k) std::swap(partner[size_t(k)], partner[batch_rng.below(uint32_t(k + 1))]);
  unmixed_.resize(images.shape());
  std::copy(images.data(), images.data() + images.size(), unmixed_.data());
  targets.mixed = true;

  for (int k = 0; k < count; ++k) {
    // A second stream for mixing, so adding mixup leaves the geometry of every sample unchanged.
    Rng rng = sample_rng(seed_ ^ 0x6D697875ull, step, k);
    const int j = partner[size_t(k)];
    const bool use_cutmix = spec_.cutmix > 0 && (spec_.mixup <= 0 || rng.below(2) == 1);
    float lambda = portable_beta(rng, use_cutmix ? spec_.cutmix : spec_.mixup);
    float* dst = images.data() + image_floats * k;
    const float* own = unmixed_.data() + image_floats * k;
    const float* other = unmixed_.data() + image_floats * j;
    if (use_cutmix) {
      // A box of about (1 - lambda) of the area from the partner; lambda is then the area kept.
      const double side = std::sqrt(1.0 - static_cast<double>(lambda));
      const int bh = static_cast<int>(h * side), bw = static_cast<int>(w * side);
      const int y_mid = static_cast<int>(rng.below(uint32_t(h))), x_mid = static_cast<int>(rng.below(uint32_t(w)));
      const int y0 = std::max(0, y_mid - bh / 2), y1 = std::min(h, y_mid + bh / 2);
      const int x0 = std::max(0, x_mid - bw / 2), x1 = std::min(w, x_mid + bw / 2);
      for (int y = y0; y < y1; ++y)
        std::copy(other + (int64_t(y) * w + x0) * c, other + (int64_t(y) * w + x1) * c, dst + (int64_t(y) * w + x0) * c);
      lambda = 1.0f - float((y1 - y0) * (x1 - x0)) / float(h * w);
    } else {
      const float rest = 1.0f - lambda;
      for (int64_t i = 0; i < image_floats; ++i) dst[i] = lambda * own[i] + rest * other[i];
    }
    targets.partner[size_t(k)] = targets.label[size_t(j)];
    targets.weight[size_t(k)] = lambda;
  }
}

}  // namespace distillery
