#include <algorithm>

#include "gemm.h"
#include "pool.h"

namespace slurry {
namespace {

// Below this many multiply-adds one thread is faster than waking another.
constexpr int64_t kParallelMacs = int64_t(1) << 18;

struct GemmJob {
  const GemmKit* kit;
  bool transA, transB;
  int64_t M, N, K;
  float alpha, beta;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float* C;
  int64_t ldc;
  int tm, tn;  // thread grid over C: tm row ranges x tn column ranges
};

// op(A)[i][p] and op(B)[p][j] in storage.
inline const float* a_at(const GemmJob& g, int64_t i, int64_t p) {
  return g.transA ? g.A + p * g.lda + i : g.A + i * g.lda + p;
}
inline const float* b_at(const GemmJob& g, int64_t p, int64_t j) {
  return g.transB ? g.B + j * g.ldb + p : g.B + p * g.ldb + j;
}

// The whole Goto loop nest over C[m0..m1, n0..n1), with this thread's own packed panels.
void gemm_block(const GemmJob& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const GemmKit& k = *g.kit;
  const int64_t MR = k.MR, NR = k.NR;
  // K blocks of (nearly) equal size, at most KC: a function of K alone.
  const int64_t kblocks = (g.K + k.KC - 1) / k.KC;
  const int64_t nc_max = std::min<int64_t>(k.NC, (n1 - n0 + NR - 1) / NR * NR);
  const int64_t mc_max = std::min<int64_t>(k.MC, (m1 - m0 + MR - 1) / MR * MR);
  const int64_t kc_max = (g.K + kblocks - 1) / kblocks;
  float* bpack = scratch(0, size_t(kc_max) * size_t(nc_max));
  float* apack = scratch(1, size_t(kc_max) * size_t(mc_max));
  for (int64_t jc = n0; jc < n1; jc += k.NC) {
    const int64_t nc = std::min<int64_t>(k.NC, n1 - jc);
    for (int64_t kb = 0; kb < kblocks; kb++) {
      const int64_t pc = g.K * kb / kblocks;
      const int64_t kc = g.K * (kb + 1) / kblocks - pc;
      const float beta = kb == 0 ? g.beta : 1.0f;
      const int64_t kcu = (kc + k.KP - 1) / k.KP;  // packed elements per row or column of a panel
      k.pack_b(g.transB, kc, nc, b_at(g, pc, jc), g.ldb, bpack);
      for (int64_t ic = m0; ic < m1; ic += k.MC) {
        const int64_t mc = std::min<int64_t>(k.MC, m1 - ic);
        k.pack_a(g.transA, mc, kc, a_at(g, ic, pc), g.lda, apack);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int n = (int)std::min<int64_t>(NR, nc - jr);
          const float* bp = bpack + jr * kcu;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int m = (int)std::min<int64_t>(MR, mc - ir);
            k.micro(kc, apack + ir * kcu, bp, g.C + (ic + ir) * g.ldc + jc + jr, g.ldc, g.alpha, beta, m, n);
          }
        }
      }
    }
  }
}

// C = beta C (alpha == 0 or K == 0): no product to add.
void scale_c(int64_t M, int64_t N, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; i++) {
    float* c = C + i * ldc;
    if (beta == 0.0f) std::fill(c, c + N, 0.0f);
    else if (beta != 1.0f)
      for (int64_t j = 0; j < N; j++) c[j] *= beta;
  }
}

// Splits C among `threads` as a tm x tn grid that packs the least redundant data: every
// row range packs its own copy of B's columns, every column range its own copy of A's rows.
void choose_grid(int64_t M, int64_t N, int64_t K, int64_t MR, int64_t NR, int threads, int& tm, int& tn) {
  const int64_t mtiles = (M + MR - 1) / MR, ntiles = (N + NR - 1) / NR;
  double best = -1;
  tm = tn = 1;
  for (int a = 1; a <= threads; a++) {
    if (threads % a) continue;
    const int b = threads / a;
    if (a > mtiles || b > ntiles) continue;
    const double packed = double(b) * M * K + double(a) * K * N;
    if (best < 0 || packed < best) best = packed, tm = a, tn = b;
  }
}

}  // namespace

void sgemm(const GemmKit& kit, bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
           const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) {
    scale_c(M, N, beta, C, ldc);
    return;
  }
  if (M <= kSmallM && kit.small_m) {  // column chunks, each computed whole by one thread
    constexpr int64_t kCols = 128;
    const int64_t chunks = (N + kCols - 1) / kCols;
    parallel_for(chunks, std::max<int64_t>(1, kParallelMacs / (M * K * kCols)), [&](int64_t b, int64_t e) {
      kit.small_m(transA, transB, M, b * kCols, std::min(N, e * kCols), K, alpha, A, lda, B, ldb, beta, C, ldc);
    });
    return;
  }
  GemmJob g{&kit, transA, transB, M, N, K, alpha, beta, A, lda, B, ldb, C, ldc, 1, 1};
  const int threads = M * N * K >= kParallelMacs ? pool_threads() : 1;
  choose_grid(M, N, K, kit.MR, kit.NR, threads, g.tm, g.tn);
  const int64_t mtiles = (M + kit.MR - 1) / kit.MR, ntiles = (N + kit.NR - 1) / kit.NR;
  parallel_for(int64_t(g.tm) * g.tn, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; t++) {
      const int64_t a = t / g.tn, b = t % g.tn;
      const int64_t m0 = std::min(M, mtiles * a / g.tm * kit.MR), m1 = std::min(M, mtiles * (a + 1) / g.tm * kit.MR);
      const int64_t n0 = std::min(N, ntiles * b / g.tn * kit.NR), n1 = std::min(N, ntiles * (b + 1) / g.tn * kit.NR);
      if (m0 < m1 && n0 < n1) gemm_block(g, m0, m1, n0, n1);
    }
  });
}

}  // namespace slurry
