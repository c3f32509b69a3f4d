#pragma once
// Allocation counts for the executable that links counting_allocator.cpp
// (through count_allocations() in the top CMakeLists.txt): it replaces the
// global operator new (every std::vector and Tensor buffer) and, natively,
// wraps malloc through the linker so Eigen's heap temporaries count too.
// Its own executables only (alloc_tests, train_bench): a replaced operator
// new must not leak into engine_tests.
namespace distillery::alloc_count {

long allocations();          // since the program started
long long allocated_bytes();

}  // namespace distillery::alloc_count
