#include "engine/kernels/thread_pool.h"

#include <algorithm>
#include <exception>
#include <system_error>

#include "engine/core/settings.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DISTILLERY_CPU_RELAX() _mm_pause()
#else
#define DISTILLERY_CPU_RELAX() ((void)0)
#endif

namespace distillery {
namespace {

// How long a thread spins before it sleeps: about 100 us, long enough to
// bridge the gap between two GEMMs of one training step (element-wise work),
// short enough not to burn a shared core between steps. A pause instruction
// takes about 40-60 ns on the x86 machines measured; a WebAssembly iteration
// (an atomic load; there is no pause) about 1 ns.
#if defined(__x86_64__) || defined(__i386__)
constexpr int kSpinIterations = 2048;
#else
constexpr int kSpinIterations = 1 << 17;
#endif

thread_local bool t_inside_task = false;

struct InsideTask {
  bool previous;
  InsideTask() : previous(t_inside_task) { t_inside_task = true; }
  ~InsideTask() { t_inside_task = previous; }
};

// The same contract as the pool, on the calling thread (single-thread builds,
// nested calls, a busy pool): every task runs even when one throws, the first
// exception reaches the caller, and nested loops inside the tasks run inline.
void run_inline(int tasks, FunctionRef<void(int)> task) {
  if (tasks == 1) return task(0);
  InsideTask inside;
  std::exception_ptr first_error;
  for (int i = 0; i < tasks; ++i) {
    try {
      task(i);
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace

bool inside_parallel_task() { return t_inside_task; }

ThreadPool::ThreadPool(int threads) : requested_(threads) {
  const int workers = std::max(0, std::min(threads, kMaxThreads) - 1);
  if (!threads_supported()) return;
  workers_.reserve(static_cast<size_t>(workers));
  for (int i = 0; i < workers; ++i) {
    try {
      workers_.emplace_back([this] { worker_loop(); });
    } catch (const std::system_error&) {
      break;  // the system (or the browser's worker pool) has no more threads: work with fewer
    }
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stopping_.store(true);
  }
  wake_cv_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    bool woke = false;
    for (int spin = 0; spin < kSpinIterations; ++spin) {
      if (generation_.load(std::memory_order_acquire) != seen || stopping_.load(std::memory_order_relaxed)) {
        woke = true;
        break;
      }
      DISTILLERY_CPU_RELAX();
    }
    if (!woke) {
      std::unique_lock<std::mutex> lock(wake_mutex_);
      wake_cv_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
    }
    if (stopping_.load()) return;
    seen = generation_.load(std::memory_order_acquire);
    // Dekker-style handshake with run(): either this worker sees the job
    // closed, or run() sees active_ > 0 and waits for it to leave.
    active_.fetch_add(1);
    if (job_open_.load()) work_on_current_job();
    active_.fetch_sub(1);
  }
}

void ThreadPool::work_on_current_job() {
  InsideTask inside;
  for (;;) {
    const int i = next_task_.fetch_add(1);
    if (i >= tasks_) return;
    try {
      (*task_)(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
    }
    if (done_tasks_.fetch_add(1) + 1 == tasks_) {
      std::lock_guard<std::mutex> lock(done_mutex_);
      done_cv_.notify_one();
    }
  }
}

void ThreadPool::wait_until_done() {
  for (int spin = 0; spin < kSpinIterations; ++spin) {
    if (done_tasks_.load(std::memory_order_acquire) >= tasks_) return;
    DISTILLERY_CPU_RELAX();
  }
  std::unique_lock<std::mutex> lock(done_mutex_);
  done_cv_.wait(lock, [&] { return done_tasks_.load() >= tasks_; });
}

void ThreadPool::run(int tasks, FunctionRef<void(int)> task) {
  if (tasks <= 0) return;
  if (tasks == 1 || workers_.empty() || t_inside_task) return run_inline(tasks, task);
  std::unique_lock<std::mutex> submit(submit_mutex_, std::try_to_lock);
  if (!submit.owns_lock()) return run_inline(tasks, task);

  task_ = &task;
  tasks_ = tasks;
  error_ = nullptr;
  next_task_.store(0);
  done_tasks_.store(0);
  job_open_.store(true);
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_cv_.notify_all();

  work_on_current_job();
  wait_until_done();

  job_open_.store(false);
  while (active_.load() != 0) DISTILLERY_CPU_RELAX();
  task_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

namespace {

// The process-wide pool is never destroyed: joining workers from a static
// destructor at exit can deadlock in some runtimes, and the OS ends them anyway.
std::mutex g_pool_mutex;
ThreadPool* g_pool = nullptr;

}  // namespace

void parallel_tasks(int tasks, FunctionRef<void(int)> task) {
  const int threads = thread_count();
  if (tasks <= 1 || threads <= 1 || t_inside_task) return run_inline(tasks, task);
  // Another thread (say, the UI predicting while training runs) is using the
  // pool: run inline rather than wait for it.
  std::unique_lock<std::mutex> lock(g_pool_mutex, std::try_to_lock);
  if (!lock.owns_lock()) return run_inline(tasks, task);
  if (g_pool == nullptr || g_pool->requested_size() != threads) {
    delete g_pool;
    g_pool = nullptr;
    g_pool = new ThreadPool(threads);
  }
  g_pool->run(tasks, task);
}

ChunkSplit::ChunkSplit(int64_t extent_, int64_t grain_, int64_t max_chunks)
    : extent(std::max<int64_t>(extent_, 0)),
      grain(std::max<int64_t>(grain_, 1)),
      grains((extent + grain - 1) / grain),
      chunks(std::max<int64_t>(1, std::min(grains, max_chunks))) {}

int64_t ChunkSplit::chunk_begin(int64_t c) const {
  const int64_t base = grains / chunks, extra = grains % chunks;
  return std::min(extent, (c * base + std::min(c, extra)) * grain);
}

void parallel_for(int64_t begin, int64_t end, int64_t grain, FunctionRef<void(int64_t, int64_t)> fn) {
  if (end <= begin) return;
  const ChunkSplit split(end - begin, grain, t_inside_task ? 1 : thread_count());
  if (split.chunks <= 1) return fn(begin, end);
  parallel_tasks(static_cast<int>(split.chunks),
                 [&](int c) { fn(begin + split.chunk_begin(c), begin + split.chunk_begin(c + 1)); });
}

}  // namespace distillery
