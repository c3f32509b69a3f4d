// GEMM speed: GFLOP/s of the engine's gemm() on one thread (Eigen natively,
// the blocked WASM SIMD kernel in WebAssembly) and with two threads, square
// sizes plus the products of the benchmark MLP and CNN at batch 64.
//
//   gemm_bench [--quick] [--only 256,512]   prints a table, then one JSON line (the last line)
//
// Each figure is the median of 5 repetitions of >= 50 ms (15 ms with --quick).
// bench/run.sh runs it natively and under Node and divides the two.
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "engine/core/rng.h"
#include "engine/core/settings.h"
#include "engine/kernels/gemm.h"
#include "engine/kernels/gemm_blocked.h"
#include "engine/kernels/thread_pool.h"

using namespace distillery;
using namespace distillery::bench;

namespace {

struct Problem {
  std::string name;
  bool ta, tb;
  int m, n, k;
};

struct Operands {
  std::vector<float> a, b, c;
  explicit Operands(const Problem& p) {
    Rng rng(7);
    a.resize(static_cast<size_t>(p.m) * p.k);
    b.resize(static_cast<size_t>(p.k) * p.n);
    c.assign(static_cast<size_t>(p.m) * p.n, 0.0f);
    for (float& v : a) v = rng.uniform(-1.0f, 1.0f);
    for (float& v : b) v = rng.uniform(-1.0f, 1.0f);
  }
};

using GemmFn = void (*)(bool, bool, int, int, int, float, const float*, int, const float*, int, float, float*, int);

// GFLOP/s of one measurement of fn on p with `threads` threads.
double gflops(const Problem& p, Operands& o, GemmFn fn, int threads, double min_seconds, Clock clock) {
  set_thread_count(threads);
  const int lda = p.ta ? p.m : p.k, ldb = p.tb ? p.k : p.n;
  auto call = [&] { fn(p.ta, p.tb, p.m, p.n, p.k, 1.0f, o.a.data(), lda, o.b.data(), ldb, 0.0f, o.c.data(), p.n); };
  return rate(call, min_seconds, clock) * 2.0 * p.m * p.n * p.k * 1e-9;
}

struct Figures {
  double gemm_cpu, blocked_cpu, gemm_wall, two_wall, two_over_one;
};

// Repetitions interleave the variants, so a burst of load from other
// processes hits all of them alike; each figure is a median over repetitions.
Figures measure(const Problem& p, int reps, double min_seconds) {
  Operands o(p);
  const int64_t threshold = gemm_parallel_threshold();
  std::vector<double> gemm_cpu, blocked_cpu, gemm_wall, two_wall, ratio;
  for (int r = -1; r < reps; ++r) {  // r == -1 warms up: workspaces, pool threads, the JIT's optimising tier
    const double g = gflops(p, o, gemm, 1, min_seconds, Clock::kCpu);
    const double b = gflops(p, o, gemm_blocked, 1, min_seconds, Clock::kCpu);
    const double one = gflops(p, o, gemm, 1, min_seconds, Clock::kWall);
    set_gemm_parallel_threshold(0);  // measure the split itself, whatever the threshold says
    const double two = gflops(p, o, gemm, 2, min_seconds, Clock::kWall);
    set_gemm_parallel_threshold(threshold);
    if (r < 0) continue;
    gemm_cpu.push_back(g);
    blocked_cpu.push_back(b);
    gemm_wall.push_back(one);
    two_wall.push_back(two);
    ratio.push_back(two / one);
  }
  return {median(gemm_cpu), median(blocked_cpu), median(gemm_wall), median(two_wall), median(ratio)};
}

// Microseconds a parallel call on 2 threads adds to 2 tasks of 20 us each:
// the cost of waking a worker and waiting for it, the floor under any split.
// (20 if the worker took its task at once; 20 + 20 if it never woke in time.)
double pool_overhead_us(int reps, double min_seconds) {
  set_thread_count(2);
  const double task_seconds = 20e-6;
  auto call = [&] {
    parallel_tasks(2, [&](int) {
      const double start = now_seconds();
      while (now_seconds() - start < task_seconds) {
      }
    });
  };
  call();
  std::vector<double> samples;
  for (int r = 0; r < reps; ++r) samples.push_back(1e6 / rate(call, min_seconds) - 1e6 * task_seconds);
  return median(samples);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string only;  // comma-separated problem names; empty: all
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = "," + std::string(argv[++i]) + ",";
  }
  const double min_seconds = quick ? 0.015 : 0.05;
  const int reps = 5;
  const std::vector<Problem> problems = {
      {"64", false, false, 64, 64, 64},
      {"128", false, false, 128, 128, 128},
      {"256", false, false, 256, 256, 256},
      {"512", false, false, 512, 512, 512},
      {"256_tn", true, false, 256, 256, 256},
      {"256_nt", false, true, 256, 256, 256},
      // Dense 784 -> 256 at batch 64: forward, kernel gradient, input gradient.
      {"dense_fwd", false, false, 64, 256, 784},
      {"dense_dw", true, false, 784, 256, 64},
      {"dense_dx", false, true, 64, 784, 256},
      // Dense 128 -> 10 at batch 64: small products decide the threading threshold.
      {"small_fwd", false, false, 64, 10, 128},
      {"mid_fwd", false, false, 64, 128, 256},
      // The CNN's convolutions at batch 64 as im2col GEMMs: 28x28x1 -> 26x26x8
      // (patch 9) and 13x13x8 -> 11x11x16 (patch 72); forward, kernel and input gradients.
      {"conv0_fwd", false, false, 43264, 8, 9},
      {"conv0_dw", true, false, 9, 8, 43264},
      {"conv0_dx", false, true, 43264, 9, 8},
      {"conv1_fwd", false, false, 7744, 16, 72},
      {"conv1_dw", true, false, 72, 16, 7744},
      {"conv1_dx", false, true, 7744, 72, 16},
  };
  std::printf("gemm_bench on %s, kernel %s, hardware threads %d, parallel threshold %lld flops\n", platform_name(),
              gemm_kernel_name(), hardware_thread_count(), static_cast<long long>(gemm_parallel_threshold()));
  std::printf("GFLOP/s, median of %d; cpu = per CPU-second of one thread, wall = per elapsed second\n", reps);
  std::printf("%-10s %6s %5s %6s %10s %12s %10s %10s %7s\n", "problem", "m", "n", "k", "gemm cpu", "blocked cpu",
              "1t wall", "2t wall", "2t/1t");
  const double round_trip = pool_overhead_us(reps, min_seconds);
  std::printf("thread pool: 2 tasks of 20 us on 2 threads take 20 + %.2f us (wall)\n", round_trip);
  std::string one, blocked, one_wall, two, ratio;
  for (const Problem& p : problems) {
    if (!only.empty() && only.find("," + p.name + ",") == std::string::npos) continue;
    const Figures f = measure(p, reps, min_seconds);
    std::printf("%-10s %6d %5d %6d %10.2f %12.2f %10.2f %10.2f %7.2f\n", p.name.c_str(), p.m, p.n, p.k, f.gemm_cpu,
                f.blocked_cpu, f.gemm_wall, f.two_wall, f.two_over_one);
    std::fflush(stdout);
    const std::string sep = one.empty() ? "" : ",", key = "\"" + p.name + "\":";
    one += sep + key + fixed(f.gemm_cpu);
    blocked += sep + key + fixed(f.blocked_cpu);
    one_wall += sep + key + fixed(f.gemm_wall);
    two += sep + key + fixed(f.two_wall);
    ratio += sep + key + fixed(f.two_over_one);
  }
  std::printf("{\"bench\":\"gemm\",\"platform\":\"%s\",\"kernel\":\"%s\",\"gflops_1t_cpu\":{%s},"
              "\"gflops_blocked_1t_cpu\":{%s},\"gflops_1t_wall\":{%s},\"gflops_2t_wall\":{%s},\"threads_2_over_1\":{%s},\"pool_overhead_us\":%.3f}\n",
              platform_name(), gemm_kernel_name(), one.c_str(), blocked.c_str(), one_wall.c_str(), two.c_str(),
              ratio.c_str(), round_trip);
  return 0;
}
