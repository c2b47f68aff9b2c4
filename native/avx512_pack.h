// AVX-512 helpers shared by the units compiled with AVX-512 flags (isa_avx512.cc and
// isa_avx512_bf16.cc): lane masks, the in-register 16 x 16 transpose of 32-bit lanes that
// packs GEMM panels, and the micro-kernels' store of a C tile. Internal linkage: each unit keeps its own copy.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace slurry {
namespace {

inline __mmask16 lanes(int64_t n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u); }

// In-register transpose of a 16 x 16 block: r[i] holds row i on entry, column i on exit.
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  // r[4g + e]: 128-bit lane L holds rows 4g..4g+3 of column 4L + e.
  for (int g = 0; g < 4; g++) {
    r[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    r[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
    r[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    r[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
  }
  for (int e = 0; e < 4; e++) {
    t[e] = _mm512_shuffle_f32x4(r[e], r[4 + e], 0x88);           // groups 0,1: columns e, 8+e
    t[4 + e] = _mm512_shuffle_f32x4(r[e], r[4 + e], 0xDD);       // groups 0,1: columns 4+e, 12+e
    t[8 + e] = _mm512_shuffle_f32x4(r[8 + e], r[12 + e], 0x88);  // groups 2,3: columns e, 8+e
    t[12 + e] = _mm512_shuffle_f32x4(r[8 + e], r[12 + e], 0xDD);
  }
  for (int e = 0; e < 4; e++) {
    r[e] = _mm512_shuffle_f32x4(t[e], t[8 + e], 0x88);
    r[8 + e] = _mm512_shuffle_f32x4(t[e], t[8 + e], 0xDD);
    r[4 + e] = _mm512_shuffle_f32x4(t[4 + e], t[12 + e], 0x88);
    r[12 + e] = _mm512_shuffle_f32x4(t[4 + e], t[12 + e], 0xDD);
  }
}

// Transposes r (rows in, columns out) and stores column e (e < ncols) as `nout` lanes at
// dst + e * dst_stride.
inline void transpose_store(__m512 r[16], int ncols, float* dst, int64_t dst_stride, int nout) {
  transpose16(r);
  const __mmask16 om = lanes(nout);
  for (int e = 0; e < ncols; e++) _mm512_mask_storeu_ps(dst + e * dst_stride, om, r[e]);
}

// Loads rows of a strided matrix (rows >= nrows are zero, columns >= ncols are zero),
// transposes, and stores column e (e < ncols) as `nout` floats at dst + e * dst_stride.
inline void transpose_block(const float* src, int64_t ld, int nrows, int ncols, float* dst, int64_t dst_stride,
                            int nout) {
  __m512 r[16];
  const __mmask16 cm = lanes(ncols);
  for (int i = 0; i < 16; i++) r[i] = i < nrows ? _mm512_maskz_loadu_ps(cm, src + i * ld) : _mm512_setzero_ps();
  transpose_store(r, ncols, dst, dst_stride, nout);
}

// The epilogue of a 12 x 32 micro-kernel: C[0..m, 0..n) = alpha * (c0 | c1) + beta * C, rows
// r < m (c0[r] columns 0..15, c1[r] columns 16..31); beta == 0: C is not read.
template <int kRows>
inline void store_tile(const __m512 (&c0)[kRows], const __m512 (&c1)[kRows], float* c, int64_t ldc, float alpha,
                       float beta, int m, int n) {
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  const __mmask16 m0 = lanes(n), m1 = lanes(n - 16);
#pragma GCC unroll 12
  for (int r = 0; r < kRows; r++) {
    if (r >= m) break;
    float* cr = c + r * ldc;
    __m512 x0 = _mm512_mul_ps(c0[r], va), x1 = _mm512_mul_ps(c1[r], va);
    if (beta != 0.0f) {
      x0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, cr), x0);
      x1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16), x1);
    }
    _mm512_mask_storeu_ps(cr, m0, x0);
    _mm512_mask_storeu_ps(cr + 16, m1, x1);
  }
}

}  // namespace
}  // namespace slurry
