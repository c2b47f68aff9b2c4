#include "pool.h"

#include <sched.h>
#include <sys/mman.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace slurry {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// How long an idle worker polls for the next job before it sleeps. A training step calls
// kernels back to back with a little JS in between; polling that long keeps the wake-up
// cost off the critical path without burning a core while JS runs for long.
constexpr auto kSpin = std::chrono::microseconds(60);

class Pool {
 public:
  explicit Pool(int threads) { start(threads); }

  int threads() const { return threads_; }

  void resize(int threads) {
    std::lock_guard<std::mutex> busy(busy_);
    stop();
    start(threads);
  }

  void run(int64_t n, int64_t grain, RangeFn fn, void* ctx) {
    if (n <= 0) return;
    const int64_t g = grain < 1 ? 1 : grain;
    const int64_t by_size = n / g;
    int used = (int)(by_size < threads_ ? by_size : threads_);
    if (used <= 1) {
      fn(ctx, 0, n);
      return;
    }
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) {  // another JS thread is using the pool: same ranges, inline
      for (int t = 0; t < used; t++) fn(ctx, n * t / used, n * (t + 1) / used);
      return;
    }
    fn_ = fn;
    ctx_ = ctx;
    n_ = n;
    used_ = used;
    pending_.store(threads_ - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lk(sleep_mutex_);
      wake_.notify_all();
    }
    fn(ctx, 0, n / used);
    // The caller's own share is done; wait for the workers (short: equal shares).
    for (uint32_t spins = 0; pending_.load(std::memory_order_acquire) != 0; spins++) {
      if (spins < 20000) cpu_relax();
      else std::this_thread::yield();
    }
  }

 private:
  void start(int threads) {
    threads_ = threads < 1 ? 1 : threads;
    stopping_.store(false);
    // Workers start from the generation current now: a job published before a worker
    // gets to run must still count as new to it.
    const uint64_t seen = generation_.load();
    for (int t = 1; t < threads_; t++) workers_.emplace_back([this, t, seen] { work(t, seen); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lk(sleep_mutex_);
      stopping_.store(true, std::memory_order_seq_cst);
      generation_.fetch_add(1, std::memory_order_seq_cst);
      wake_.notify_all();
    }
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  void work(int t, uint64_t seen) {
    for (;;) {
      if (!wait_for_job(seen)) return;
      seen = generation_.load(std::memory_order_acquire);
      const int used = used_;
      if (t < used) fn_(ctx_, n_ * t / used, n_ * (t + 1) / used);
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  // Polls, then sleeps, until the generation moves past `seen`. False when stopping.
  bool wait_for_job(uint64_t seen) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (uint32_t i = 0;; i++) {
      if (generation_.load(std::memory_order_acquire) != seen) return !stopping_.load();
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) break;
      cpu_relax();
    }
    std::unique_lock<std::mutex> lk(sleep_mutex_);
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    while (generation_.load(std::memory_order_seq_cst) == seen) wake_.wait(lk);
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    return !stopping_.load();
  }

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex busy_;  // one job at a time (several JS threads may load the addon)
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stopping_{false};
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  // The job, published by the generation increment.
  RangeFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t n_ = 0;
  int used_ = 1;
};

// Created on first use and never destroyed: the workers sleep on a condition variable and
// simply end with the process (joining them from a static destructor at exit could hang).
Pool* the_pool = nullptr;
std::once_flag pool_once;
int initial_threads = 1;

Pool& pool() {
  std::call_once(pool_once, [] { the_pool = new Pool(initial_threads); });
  return *the_pool;
}

struct Scratch {
  void* ptr[kScratchSlots] = {};
  size_t bytes[kScratchSlots] = {};
  ~Scratch() {
    for (int i = 0; i < kScratchSlots; i++) std::free(ptr[i]);
  }
};
thread_local Scratch tls_scratch;

}  // namespace

void parallel_ranges(int64_t n, int64_t grain, RangeFn fn, void* ctx) { pool().run(n, grain, fn, ctx); }

int pool_threads() { return pool().threads(); }

void pool_set_threads(int n) {
  if (!the_pool) {
    initial_threads = n;
    pool();
  } else {
    the_pool->resize(n);
  }
}

int pool_default_threads(char* err, size_t errlen) {
  const char* env = std::getenv("SLURRY_THREADS");
  if (env && *env) {  // empty counts as unset
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (*end != '\0' || v < 1 || v > 1024) {
      std::snprintf(err, errlen, "SLURRY_THREADS=%s: expected a positive integer", env);
      return -1;
    }
    return (int)v;
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int c = CPU_COUNT(&set);
    if (c > 0) return c;
  }
  const unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? (int)hc : 1;
}

float* scratch(int slot, size_t floats) {
  Scratch& s = tls_scratch;
  const size_t need = (floats < 16 ? 16 : floats) * sizeof(float);
  if (s.bytes[slot] < need) {
    std::free(s.ptr[slot]);
    // Large buffers on 2 MiB boundaries with transparent huge pages: packed GEMM panels
    // are streamed many times and TLB misses would show.
    const size_t huge = size_t(2) << 20;
    const size_t align = need >= huge ? huge : 64;
    const size_t bytes = (need + align - 1) / align * align;
    s.ptr[slot] = std::aligned_alloc(align, bytes);
    if (!s.ptr[slot]) {
      s.bytes[slot] = 0;
      std::fprintf(stderr, "slurry: out of memory allocating %zu bytes of kernel scratch\n", bytes);
      std::abort();
    }
#ifdef MADV_HUGEPAGE
    if (align == huge) madvise(s.ptr[slot], bytes, MADV_HUGEPAGE);
#endif
    s.bytes[slot] = bytes;
  }
  return static_cast<float*>(s.ptr[slot]);
}

}  // namespace slurry
