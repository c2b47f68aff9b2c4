// The AVX2 + FMA path (compiled with -mavx2 -mfma only; never called unless the CPU reports
// both). Micro-kernel: a 6 x 16 tile of C in 12 ymm accumulators, two B loads and one A
// broadcast per row and k: 15 of the 16 ymm registers.
#define SLURRY_ISA_AVX2 1
#include "fused.h"
#include "simd.h"

namespace slurry {
namespace {

constexpr int kMR = 6;
constexpr int kNR = 16;

inline __m256i lanes(int64_t n) { return V256::mask(n >= 8 ? 8 : n <= 0 ? 0 : (int)n); }

// In-register transpose of an 8 x 8 block: r[i] holds row i on entry, column i on exit.
inline void transpose8(__m256 r[8]) {
  __m256 t[8], s[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int g = 0; g < 2; g++) {  // s[4g + e]: lane L holds rows 4g..4g+3 of column 4L + e
    s[4 * g + 0] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    s[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
    s[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    s[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
  }
  for (int e = 0; e < 4; e++) {
    r[e] = _mm256_permute2f128_ps(s[e], s[4 + e], 0x20);
    r[4 + e] = _mm256_permute2f128_ps(s[e], s[4 + e], 0x31);
  }
}

// Loads rows of a strided matrix (rows >= nrows and columns >= ncols read as zero),
// transposes, and stores column e (e < ncols) as `nout` floats at dst + e * dst_stride.
inline void transpose_block(const float* src, int64_t ld, int nrows, int ncols, float* dst, int64_t dst_stride,
                            int nout) {
  __m256 r[8];
  const __m256i cm = lanes(ncols);
  for (int i = 0; i < 8; i++) r[i] = i < nrows ? _mm256_maskload_ps(src + i * ld, cm) : _mm256_setzero_ps();
  transpose8(r);
  const __m256i om = lanes(nout);
  for (int e = 0; e < ncols; e++) _mm256_maskstore_ps(dst + e * dst_stride, om, r[e]);
}

void pack_a_impl(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
  for (int64_t i = 0; i < mc; i += kMR, dst += kc * kMR) {
    const int m = (int)(mc - i < kMR ? mc - i : kMR);
    if (trans) {
      const __m256i mm = lanes(m), om = lanes(kMR);
      for (int64_t k = 0; k < kc; k++) _mm256_maskstore_ps(dst + k * kMR, om, _mm256_maskload_ps(a + k * lda + i, mm));
    } else {
      for (int64_t k = 0; k < kc; k += 8)
        transpose_block(a + i * lda + k, lda, m, (int)(kc - k < 8 ? kc - k : 8), dst + k * kMR, kMR, kMR);
    }
  }
}

void pack_b_impl(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  for (int64_t j = 0; j < nc; j += kNR, dst += kc * kNR) {
    const int n = (int)(nc - j < kNR ? nc - j : kNR);
    if (!trans) {
      const __m256i m0 = lanes(n), m1 = lanes(n - 8);
      const float* src = b + j;
      for (int64_t k = 0; k < kc; k++, src += ldb) {
        _mm256_store_ps(dst + k * kNR, _mm256_maskload_ps(src, m0));
        _mm256_store_ps(dst + k * kNR + 8, _mm256_maskload_ps(src + 8, m1));
      }
    } else {
      for (int half = 0; half < 2; half++) {
        const int rows = n - 8 * half;
        for (int64_t k = 0; k < kc; k += 8)
          transpose_block(b + (j + 8 * half) * ldb + k, ldb, rows < 0 ? 0 : rows, (int)(kc - k < 8 ? kc - k : 8),
                          dst + k * kNR + 8 * half, kNR, 8);
      }
    }
  }
}

void micro_impl(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta, int m,
                int n) {
  // Twelve named accumulators: with arrays GCC spilled some of them to the stack inside the
  // k loop (16 ymm registers leave no slack).
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t k = 0; k < kc; k++, a += kMR, b += kNR) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    __m256 av = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    c51 = _mm256_fmadd_ps(av, b1, c51);
  }
  const __m256 acc[kMR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  const __m256i m0 = lanes(n), m1 = lanes(n - 8);
  for (int r = 0; r < m; r++) {
    float* cr = c + r * ldc;
    __m256 x0 = _mm256_mul_ps(acc[r][0], va), x1 = _mm256_mul_ps(acc[r][1], va);
    if (beta != 0.0f) {
      x0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr, m0), x0);
      x1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr + 8, m1), x1);
    }
    _mm256_maskstore_ps(cr, m0, x0);
    _mm256_maskstore_ps(cr + 8, m1, x1);
  }
}

using Avx2 = IsaTraits<V256, kMR, kNR, pack_a_impl, pack_b_impl, micro_impl>;

}  // namespace

const KernelTable* table_avx2() {
  static const KernelTable table =
      make_table<Avx2, 12>("avx2", Blocking{512, 96, 4096});
  return &table;
}

}  // namespace slurry
