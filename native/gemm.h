// Packed, register-blocked SGEMM in the GotoBLAS/BLIS scheme.
//
// Each ISA unit supplies a GemmKit: a micro-kernel that computes an MR x NR tile of C from
// an A micro-panel ([k][MR], MR rows side by side) and a B micro-panel ([k][NR]), and the
// routines that pack A and B into those panels from either storage order. The blocking
// driver (gemm_driver.cc) is shared: it cuts C among threads, cuts K into KC blocks
// (a function of K only, so every element of C is summed in the same order whatever the
// thread count), packs panels that fit the caches, and calls the micro-kernel.
#pragma once

#include <cstdint>

namespace slurry {

struct GemmKit {
  int MR, NR;      // register tile of C
  int KP;          // values of k per packed element: 1 (fp32 panels), 2 (bf16 pairs in 32 bits)
  int KC, MC, NC;  // cache blocks: the packed A block (MC x KC) stays in L2 while B micro-panels stream

  // Packs op(A)[i0 + 0..mc, p0 + 0..kc) into ceil(mc/MR) panels of ceil(kc/KP)*MR elements
  // of 32 bits (floats, or pairs of bf16 along k); rows past mc, and k past kc, are zero. a points at op(A)[i0][p0] in storage: A[i0*lda + p0], or A[p0*lda + i0]
  // when trans (A stored [K, M]).
  void (*pack_a)(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst);
  // Packs op(B)[p0 + 0..kc, j0 + 0..nc) into ceil(nc/NR) panels of ceil(kc/KP)*NR elements;
  // columns past nc are zero. b points at B[p0*ldb + j0], or B[j0*ldb + p0] when trans.
  void (*pack_b)(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst);
  // C[0..m, 0..n) = alpha * A_panel B_panel + beta * C (beta == 0: C is not read).
  // m <= MR, n <= NR; only the valid m x n corner of C is touched.
  void (*micro)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
                int m, int n);
  // Few rows (M <= kSmallM, e.g. one token at a time): columns n0..n1 of C straight from the
  // unpacked operands, since packing B would cost as much as the product itself. Null: the
  // packed path serves every M.
  void (*small_m)(bool transA, bool transB, int64_t M, int64_t n0, int64_t n1, int64_t K, float alpha,
                  const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
};

constexpr int64_t kSmallM = 4;

// C = alpha op(A) op(B) + beta C, row-major, multi-threaded (see kernels.ts for the contract).
void sgemm(const GemmKit& kit, bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
           const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

}  // namespace slurry
