#pragma once
// A small persistent thread pool: workers are created once and wait for jobs,
// so a parallel call costs a wake-up, not a thread creation.
//
//   parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) { ... });
//   parallel_tasks(8, [&](int task) { ... });
//
// The process-wide pool follows thread_count() (engine/core/settings.h). The
// calling thread works too, so thread_count() == 1 means no worker at all and
// everything runs inline, as it does in a WebAssembly build without pthreads.
// A call made from inside a task, or while another thread is using the pool,
// also runs inline instead of waiting.
//
// Tasks are handed out one at a time from a shared counter, so a worker that
// is slow to wake (another process has its core, or a browser worker that has
// not started yet) delays only the tasks it took; the caller takes the rest.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace distillery {

// A non-owning reference to a callable: like std::function without the
// allocation. The callable must outlive the FunctionRef (true for a lambda
// passed straight into a call).
template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same<std::decay_t<F>, FunctionRef>::value>>
  FunctionRef(F&& f)  // NOLINT: implicit on purpose, like std::function
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}
  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

class ThreadPool {
 public:
  // threads counts the caller: ThreadPool(2) starts one worker.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Threads that run tasks, the caller included (fewer than asked for when
  // the system could not start more).
  int size() const { return static_cast<int>(workers_.size()) + 1; }
  int requested_size() const { return requested_; }

  // Runs task(i) for every i in [0, tasks) and returns when all are done.
  // The first exception a task throws is rethrown here after all tasks ended.
  void run(int tasks, FunctionRef<void(int)> task);

 private:
  void worker_loop();
  void work_on_current_job();
  void wait_until_done();

  int requested_ = 1;
  std::vector<std::thread> workers_;
  std::mutex submit_mutex_;  // one job at a time

  // Job state. Written by the submitting thread while no worker reads it
  // (job_open_ false and active_ zero), read by workers while job_open_.
  const FunctionRef<void(int)>* task_ = nullptr;
  int tasks_ = 0;
  std::atomic<int> next_task_{0};
  std::atomic<int> done_tasks_{0};
  std::atomic<bool> job_open_{false};
  std::atomic<int> active_{0};  // workers currently looking at the job
  std::mutex error_mutex_;
  std::exception_ptr error_;  // the first exception a task threw

  // Waking workers: they spin briefly on generation_, then sleep on wake_cv_.
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stopping_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
};

// The process-wide pool (created on first use, sized to thread_count()).
// Runs task(i) for i in [0, tasks).
void parallel_tasks(int tasks, FunctionRef<void(int)> task);

// Splits [begin, end) into at most thread_count() contiguous chunks of at
// least `grain` items (chunk borders are multiples of grain from begin) and
// runs fn(chunk_begin, chunk_end) on each.
void parallel_for(int64_t begin, int64_t end, int64_t grain, FunctionRef<void(int64_t, int64_t)> fn);

// How parallel_for (and gemm) cut [0, extent) into `chunks` chunks of whole
// grains, the first (grains % chunks) one grain longer: chunk c is
// [chunk_begin(c), chunk_begin(c + 1)). Code that wants the same thread to
// touch the same items in two loops cuts both the same way.
struct ChunkSplit {
  int64_t extent, grain, grains, chunks;
  ChunkSplit(int64_t extent, int64_t grain, int64_t max_chunks);
  int64_t chunk_begin(int64_t c) const;
};

// True while the current thread runs a pool task (nested calls run inline).
bool inside_parallel_task();

}  // namespace distillery
