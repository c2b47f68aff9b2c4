// The AVX-512 path (compiled with -mavx512f -mavx512vl -mavx512bw -mfma only; never called
// unless the CPU reports those features). Micro-kernel: a 12 x 32 tile of C in 24 zmm
// accumulators; per k it loads two vectors of the B panel and broadcasts 12 values of A
// straight from memory into the FMAs.
#define SLURRY_ISA_AVX512 1
#include "fused.h"
#include "simd.h"
#include "avx512_pack.h"

namespace slurry {
namespace {

constexpr int kMR = 12;
constexpr int kNR = 32;

void pack_a_impl(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
  if (trans) {  // op(A)[i][k] = a[k*lda + i]: each k is a contiguous run of MR rows per panel
    // Row k of storage is read once, left to right, into every panel: panel by panel would
    // revisit all kc rows, each in its own page, for every MR values of i.
    const __mmask16 om = lanes(kMR);
    for (int64_t k = 0; k < kc; k++) {
      const float* row = a + k * lda;
      for (int64_t i = 0; i < mc; i += kMR)
        _mm512_mask_storeu_ps(dst + i * kc + k * kMR, om, _mm512_maskz_loadu_ps(lanes(mc - i), row + i));
    }
    return;
  }
  for (int64_t i = 0; i < mc; i += kMR, dst += kc * kMR) {  // rows contiguous in k: transpose 16-wide blocks
    const int m = (int)(mc - i < kMR ? mc - i : kMR);
    for (int64_t k = 0; k < kc; k += 16)
      transpose_block(a + i * lda + k, lda, m, (int)(kc - k < 16 ? kc - k : 16), dst + k * kMR, kMR, kMR);
  }
}

void pack_b_impl(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  for (int64_t j = 0; j < nc; j += kNR, dst += kc * kNR) {
    const int n = (int)(nc - j < kNR ? nc - j : kNR);
    if (!trans) {  // op(B)[k][j] = b[k*ldb + j]: copy row segments
      const __mmask16 m0 = lanes(n), m1 = lanes(n - 16);
      const float* src = b + j;
      for (int64_t k = 0; k < kc; k++, src += ldb) {
        _mm512_store_ps(dst + k * kNR, _mm512_maskz_loadu_ps(m0, src));
        _mm512_store_ps(dst + k * kNR + 16, _mm512_maskz_loadu_ps(m1, src + 16));
      }
    } else {  // op(B)[k][j] = b[j*ldb + k]: transpose 16 x 16 blocks (j rows, k columns)
      for (int half = 0; half < 2; half++) {
        const int rows = n - 16 * half;
        for (int64_t k = 0; k < kc; k += 16)
          transpose_block(b + (j + 16 * half) * ldb + k, ldb, rows < 0 ? 0 : rows, (int)(kc - k < 16 ? kc - k : 16),
                          dst + k * kNR + 16 * half, kNR, 16);
      }
    }
  }
}

void micro_impl(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta, int m, int n) {
  __m512 c0[kMR], c1[kMR];
#pragma GCC unroll 12
  for (int r = 0; r < kMR; r++) c0[r] = c1[r] = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
    __builtin_prefetch(b + 8 * kNR);
#pragma GCC unroll 12
    for (int r = 0; r < kMR; r++) {
      const __m512 av = _mm512_set1_ps(a[r]);
      c0[r] = _mm512_fmadd_ps(av, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(av, b1, c1[r]);
    }
    a += kMR;
    b += kNR;
  }
  store_tile(c0, c1, c, ldc, alpha, beta, m, n);
}

using Avx512 = IsaTraits<V512, kMR, kNR, pack_a_impl, pack_b_impl, micro_impl>;

}  // namespace

const KernelTable* table_avx512() {
  // KC = 512: the B micro-panel (64 KiB) streams from L2 fast enough, and a long K block
  // means C is read and written fewer times (measured better than 256-384 on Zen 5).
  static const KernelTable table =
      make_table<Avx512, 24>("avx512", Blocking{512, 96, 4096});
  return &table;
}

}  // namespace slurry
