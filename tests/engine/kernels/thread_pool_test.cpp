// The thread pool runs every task exactly once, whatever the thread count,
// nests and shares safely, and follows the thread-count setting. (At most 3
// pool threads at a time: the WebAssembly test run has 4 prewarmed workers.)
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "engine/core/settings.h"
#include "engine/kernels/thread_pool.h"

namespace distillery {
namespace {

struct ThreadCountGuard {
  int threads = thread_count();
  ~ThreadCountGuard() { set_thread_count(threads); }
};

TEST(Settings, ThreadCountIsClampedAndResettable) {
  ThreadCountGuard guard;
  set_thread_count(3);
  EXPECT_EQ(thread_count(), threads_supported() ? 3 : 1);
  set_thread_count(100000);
  EXPECT_EQ(thread_count(), threads_supported() ? kMaxThreads : 1);
  set_thread_count(0);
  EXPECT_EQ(thread_count(), hardware_thread_count());
  EXPECT_GE(thread_count(), 1);
  set_thread_count(-5);
  EXPECT_EQ(thread_count(), hardware_thread_count());
}

TEST(ThreadPool, ParallelForCoversEveryIndexOnce) {
  ThreadCountGuard guard;
  for (int threads : {1, 2, 3}) {
    set_thread_count(threads);
    for (int64_t n : {0, 1, 5, 64, 1001}) {
      for (int64_t grain : {1, 7, 64}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n) + 10);
        std::atomic<int> chunks{0};
        parallel_for(10, 10 + n, grain, [&](int64_t begin, int64_t end) {
          EXPECT_LT(begin, end);
          EXPECT_EQ((begin - 10) % grain, 0) << "chunks start on a grain border";
          ++chunks;
          for (int64_t i = begin; i < end; ++i) ++hits[static_cast<size_t>(i)];
        });
        for (int64_t i = 0; i < 10; ++i) EXPECT_EQ(hits[static_cast<size_t>(i)].load(), 0);
        for (int64_t i = 10; i < 10 + n; ++i)
          ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << "n=" << n << " grain=" << grain << " i=" << i;
        EXPECT_LE(chunks.load(), threads);
      }
    }
  }
}

TEST(ThreadPool, RunsTasksOnSeveralThreadsAndEachOnce) {
  ThreadPool pool(threads_supported() ? 3 : 1);
  for (int round = 0; round < 200; ++round) {  // many rounds: catches lost wake-ups and stale jobs
    std::vector<int> done(37, 0);
    pool.run(37, [&](int i) { done[static_cast<size_t>(i)] += 1; });
    for (int v : done) ASSERT_EQ(v, 1) << "round " << round;
  }
  EXPECT_EQ(pool.size(), threads_supported() ? 3 : 1);
}

TEST(ThreadPool, NestedCallsRunInline) {
  ThreadCountGuard guard;
  set_thread_count(2);
  std::atomic<int> inner{0};
  parallel_tasks(4, [&](int) {
    EXPECT_TRUE(inside_parallel_task());
    parallel_for(0, 100, 1, [&](int64_t begin, int64_t end) {
      EXPECT_EQ(end - begin, 100) << "a nested loop is one inline chunk";
      inner += static_cast<int>(end - begin);
    });
  });
  EXPECT_EQ(inner.load(), 400);
  EXPECT_FALSE(inside_parallel_task());
}

TEST(ThreadPool, ExceptionInATaskReachesTheCaller) {
  ThreadPool pool(threads_supported() ? 2 : 1);
  std::atomic<int> ran{0};
  try {
    pool.run(8, [&](int i) {
      ++ran;
      if (i == 5) throw std::runtime_error("task 5 failed");
    });
    ADD_FAILURE() << "run() did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "task 5 failed");
  }
  EXPECT_EQ(ran.load(), 8) << "the other tasks still run";
  // The pool still works afterwards.
  ran = 0;
  pool.run(8, [&](int) { ++ran; });
  EXPECT_EQ(ran.load(), 8);
}

#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
TEST(ThreadPool, TwoCallersAtOnceBothFinish) {
  ThreadCountGuard guard;
  set_thread_count(2);
  std::atomic<long> total{0};
  auto work = [&] {
    for (int round = 0; round < 100; ++round)
      parallel_for(0, 1000, 10, [&](int64_t begin, int64_t end) { total += end - begin; });
  };
  std::thread other(work);
  work();
  other.join();
  EXPECT_EQ(total.load(), 2L * 100 * 1000);
}
#endif

}  // namespace
}  // namespace distillery
