// A persistent thread pool: the calling thread plus (threads - 1) workers that spin briefly
// after each job and then sleep, so the JS main thread keeps its core between kernel calls.
//
// Work is split by index only: [0, n) is cut into one contiguous range per thread, the same
// cut for the same (n, threads). Every kernel in this addon is written so that what a range
// computes does not depend on which thread runs it or how [0, n) was cut (no per-thread
// partial sums), so results are bit-identical for any thread count.
#pragma once

#include <cstddef>
#include <cstdint>

namespace slurry {

using RangeFn = void (*)(void* ctx, int64_t begin, int64_t end);

// Runs fn over [0, n) split into contiguous ranges, one per thread, the caller taking the
// first. Uses at most n / grain threads (at least 1): a problem of fewer than 2 * grain
// items runs inline on the caller and pays no threading overhead. If another JS thread
// (worker_threads) holds the pool, runs everything inline.
void parallel_ranges(int64_t n, int64_t grain, RangeFn fn, void* ctx);

// Lambda front end: f(begin, end).
template <class F>
inline void parallel_for(int64_t n, int64_t grain, F&& f) {
  parallel_ranges(
      n, grain, [](void* c, int64_t b, int64_t e) { (*static_cast<F*>(c))(b, e); }, (void*)&f);
}

int pool_threads();
// Stops the workers and starts (n - 1) new ones. n >= 1.
void pool_set_threads(int n);
// Threads the pool starts with: SLURRY_THREADS when set, else the CPUs this process may run on.
// Returns -1 and writes a message into err when SLURRY_THREADS is not a positive integer.
int pool_default_threads(char* err, size_t errlen);

// Per-OS-thread scratch memory, 64-byte aligned, kept between calls and grown on demand.
// slot < kScratchSlots distinguishes simultaneous buffers of one kernel. Contents undefined.
constexpr int kScratchSlots = 8;
float* scratch(int slot, size_t floats);

}  // namespace slurry
