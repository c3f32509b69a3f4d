#pragma once
// Rng: a small deterministic generator (xoshiro128**, seeded by splitmix64) so
// that the same seed gives the same model on every platform, native and WASM
// alike (std::mt19937 is portable but std:: distributions are not).
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace distillery {

class Rng {
 public:
  explicit Rng(uint64_t seed = 42) { reseed(seed); }

  void reseed(uint64_t seed) {
    for (auto& s : state_) {
      seed += 0x9E3779B97F4A7C15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      s = static_cast<uint32_t>((z ^ (z >> 31)) >> 16);
    }
    if (!(state_[0] | state_[1] | state_[2] | state_[3])) state_[0] = 1;
  }

  uint32_t next_u32() {
    const uint32_t result = rotl(state_[1] * 5, 7) * 9;
    const uint32_t t = state_[1] << 9;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 11);
    return result;
  }
  // The generator's whole state, so a training checkpoint can continue the
  // same sequence (engine/train/checkpoint.h).
  std::array<uint32_t, 4> state() const { return {state_[0], state_[1], state_[2], state_[3]}; }
  void set_state(const std::array<uint32_t, 4>& s) {
    for (int i = 0; i < 4; ++i) state_[i] = s[i];
    if (!(state_[0] | state_[1] | state_[2] | state_[3])) state_[0] = 1;
  }
  // Uniform in [0, 1).
  float uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>((static_cast<uint64_t>(next_u32()) * n) >> 32); }
  // Standard normal (Box-Muller).
  float normal() {
    float u1 = uniform();
    float u2 = uniform();
    if (u1 < 1e-12f) u1 = 1e-12f;
    return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.28318530718f * u2);
  }
  // Fisher-Yates shuffle.
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(static_cast<uint32_t>(i))]);
  }

 private:
  static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  uint32_t state_[4];
};

}  // namespace distillery
