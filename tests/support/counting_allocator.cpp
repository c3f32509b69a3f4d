#include "counting_allocator.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> g_allocations{0};
std::atomic<long long> g_bytes{0};
void count(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(static_cast<long long>(size), std::memory_order_relaxed);
}
}  // namespace

#ifdef DISTILLERY_WRAP_MALLOC
// Linked with -Wl,--wrap=malloc: calls to malloc from our own objects (Eigen's
// aligned_malloc is inline) land in __wrap_malloc and are counted there.
extern "C" void* __real_malloc(size_t size);
extern "C" void* __wrap_malloc(size_t size) {
  count(size);
  return __real_malloc(size);
}
static void* raw_malloc(size_t size) { return __real_malloc(size); }
#else
static void* raw_malloc(size_t size) { return std::malloc(size); }
#endif

// GCC cannot see that this operator new pairs with the free() below.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(size_t size) {
  count(size);
  if (void* p = raw_malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) { return operator new(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  count(size);
  return raw_malloc(size ? size : 1);
}
void* operator new[](size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace distillery::alloc_count {

long allocations() { return g_allocations.load(); }
long long allocated_bytes() { return g_bytes.load(); }

}  // namespace distillery::alloc_count
