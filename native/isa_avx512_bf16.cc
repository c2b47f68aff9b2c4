// The bf16 path (compiled with the AVX-512 flags plus -mavx512bf16; never called unless the
// CPU reports avx512bf16). Operands are rounded to bf16 (round to nearest even, by
// VCVTNE2PS2BF16) while they are packed, and the micro-kernel multiplies pairs of them with
// VDPBF16PS, accumulating in fp32: twice the multiply-adds of an FMA per instruction.
//
// Panels hold pairs along k: a 32-bit element is (bf16 of k, bf16 of k + 1), the even k in
// the low half, as VDPBF16PS reads them. An A panel is [ceil(kc/2)][MR] such pairs, a B
// panel [ceil(kc/2)][NR]; an odd kc ends with a pair whose upper half is zero.
#define SLURRY_ISA_AVX512 1
#include "avx512_pack.h"
#include "fused.h"
#include "simd.h"

namespace slurry {
namespace {

constexpr int kMR = 12;
constexpr int kNR = 32;

inline __m512bh as_bh(__m512i v) { return (__m512bh)v; }

// The pairs (x[k], x[k+1]) of 32 consecutive floats of a row, k = 0, 2, ..., 30 (n valid).
inline __m512 row_pairs(const float* x, int64_t n) {
  const __m512 lo = _mm512_maskz_loadu_ps(lanes(n), x), hi = _mm512_maskz_loadu_ps(lanes(n - 16), x + 16);
  return (__m512)_mm512_cvtne2ps_pbh(hi, lo);
}

// The pairs (r0[j], r1[j]) of two rows, j < 16 (mask m); r1 null reads as zero.
inline __m512i two_row_pairs(const float* r0, const float* r1, __mmask16 m) {
  alignas(64) static const uint16_t kInterleave[32] = {0, 16, 1, 17, 2,  18, 3,  19, 4,  20, 5,  21, 6,  22, 7,  23,
                                                       8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
  const __m512 a = _mm512_maskz_loadu_ps(m, r0);
  const __m512 b = r1 ? _mm512_maskz_loadu_ps(m, r1) : _mm512_setzero_ps();
  return _mm512_permutexvar_epi16(_mm512_load_si512(kInterleave), (__m512i)_mm512_cvtne2ps_pbh(b, a));
}

// Rows r0 + 0..nrows of a strided matrix whose k runs along the row (32 values of k from
// x + row * ld, n valid), as pairs, transposed: pair e of row i goes to dst[e * stride + i].
inline void pairs_transposed(const float* x, int64_t ld, int nrows, int64_t n, float* dst, int64_t stride,
                             int nout) {
  __m512 r[16];
  for (int i = 0; i < 16; i++) r[i] = i < nrows ? row_pairs(x + i * ld, n) : _mm512_setzero_ps();
  transpose_store(r, (int)((n + 1) / 2 < 16 ? (n + 1) / 2 : 16), dst, stride, nout);
}

void pack_a_bf16(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
  const int64_t kp = (kc + 1) / 2;
  if (trans) {  // op(A)[i][k] = a[k*lda + i]: rows k and k + 1 give one pair per i
    // Each pair of rows is read once, left to right, into every panel: panel by panel would
    // revisit all kc rows, each in its own page, for every MR values of i.
    const __mmask16 om = lanes(kMR);
    for (int64_t p = 0; p < kp; p++) {
      const float* r0 = a + 2 * p * lda;
      const float* r1 = 2 * p + 1 < kc ? r0 + lda : nullptr;
      for (int64_t i = 0; i < mc; i += kMR)
        _mm512_mask_storeu_epi32(dst + i * kp + p * kMR, om, two_row_pairs(r0 + i, r1 ? r1 + i : nullptr, lanes(mc - i)));
    }
    return;
  }
  for (int64_t i = 0; i < mc; i += kMR, dst += kp * kMR) {  // rows contiguous in k: pairs of 32 values, transposed
    const int m = (int)(mc - i < kMR ? mc - i : kMR);
    for (int64_t k = 0; k < kc; k += 32) pairs_transposed(a + i * lda + k, lda, m, kc - k, dst + k / 2 * kMR, kMR, kMR);
  }
}

void pack_b_bf16(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  const int64_t kp = (kc + 1) / 2;
  for (int64_t j = 0; j < nc; j += kNR, dst += kp * kNR) {
    const int n = (int)(nc - j < kNR ? nc - j : kNR);
    if (!trans) {  // op(B)[k][j] = b[k*ldb + j]: rows k and k + 1 give one pair per j
      const __mmask16 m0 = lanes(n), m1 = lanes(n - 16);
      for (int64_t p = 0; p < kp; p++) {
        const float* r0 = b + 2 * p * ldb + j;
        const float* r1 = 2 * p + 1 < kc ? r0 + ldb : nullptr;
        _mm512_store_si512(dst + p * kNR, two_row_pairs(r0, r1, m0));
        _mm512_store_si512(dst + p * kNR + 16, two_row_pairs(r0 + 16, r1 ? r1 + 16 : nullptr, m1));
      }
    } else {  // op(B)[k][j] = b[j*ldb + k]: row j is contiguous in k
      for (int half = 0; half < 2; half++) {
        const int rows = n - 16 * half;
        for (int64_t k = 0; k < kc; k += 32)
          pairs_transposed(b + (j + 16 * half) * ldb + k, ldb, rows < 0 ? 0 : rows, kc - k, dst + k / 2 * kNR + 16 * half,
                           kNR, 16);
      }
    }
  }
}

void micro_bf16(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta, int m,
                int n) {
  __m512 c0[kMR], c1[kMR];
#pragma GCC unroll 12
  for (int r = 0; r < kMR; r++) c0[r] = c1[r] = _mm512_setzero_ps();
  const int32_t* ap = reinterpret_cast<const int32_t*>(a);
  const int64_t kp = (kc + 1) / 2;
#pragma GCC unroll 4
  for (int64_t p = 0; p < kp; p++) {
    const __m512bh b0 = as_bh(_mm512_load_si512(b)), b1 = as_bh(_mm512_load_si512(b + 16));
    __builtin_prefetch(b + 8 * kNR);
#pragma GCC unroll 12
    for (int r = 0; r < kMR; r++) {
      const __m512bh av = as_bh(_mm512_set1_epi32(ap[r]));
      c0[r] = _mm512_dpbf16_ps(c0[r], av, b0);
      c1[r] = _mm512_dpbf16_ps(c1[r], av, b1);
    }
    ap += kMR;
    b += kNR;
  }
  store_tile(c0, c1, c, ldc, alpha, beta, m, n);
}

// Peak probe: kChains independent VDPBF16PS chains (64 flops each per instruction).
double dot_loop(int64_t iters) {
  constexpr int kChains = 24;
  __m512 acc[kChains];
  for (int i = 0; i < kChains; i++) acc[i] = _mm512_set1_ps(0.001f * (float)i);
  const __m512bh x = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0.999f), _mm512_set1_ps(0.999f));
  const __m512bh y = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0.001f), _mm512_set1_ps(0.001f));
  for (int64_t it = 0; it < iters; it++) {
#pragma GCC unroll 24
    for (int i = 0; i < kChains; i++) acc[i] = _mm512_dpbf16_ps(acc[i], x, y);
  }
  __m512 s = acc[0];
  for (int i = 1; i < kChains; i++) s = _mm512_add_ps(s, acc[i]);
  volatile float sink = _mm512_reduce_add_ps(s);
  (void)sink;
  return (double)iters * kChains * 64;
}

using Bf16 = IsaTraits<V512, kMR, kNR, pack_a_bf16, pack_b_bf16, micro_bf16, 2>;

}  // namespace

const Bf16Table* table_avx512_bf16() {
  // KC = 1024 values of k: the same bytes per panel as the fp32 path's 512.
  static const Bf16Table table{
      GemmKit{kMR, kNR, 2, 1024, 96, 4096, pack_a_bf16, pack_b_bf16, micro_bf16, nullptr},
      Fused<Bf16>::attention_forward,
      Fused<Bf16>::attention_backward,
      dot_loop,
  };
  return &table;
}

}  // namespace slurry
