// The portable path: plain C++ with the compiler's baseline flags, for CPUs without AVX2
// and for other architectures. Same blocking as the vector paths, a 4 x 8 micro-tile
// the compiler can keep in registers and vectorise with whatever the baseline offers.
#include "fused.h"
#include "simd.h"

namespace slurry {
namespace {

constexpr int kMR = 4;
constexpr int kNR = 8;

void pack_a_impl(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
  for (int64_t i = 0; i < mc; i += kMR, dst += kc * kMR) {
    const int64_t m = mc - i < kMR ? mc - i : kMR;
    for (int64_t k = 0; k < kc; k++)
      for (int64_t r = 0; r < kMR; r++)
        dst[k * kMR + r] = r < m ? (trans ? a[k * lda + i + r] : a[(i + r) * lda + k]) : 0.0f;
  }
}

void pack_b_impl(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  for (int64_t j = 0; j < nc; j += kNR, dst += kc * kNR) {
    const int64_t n = nc - j < kNR ? nc - j : kNR;
    for (int64_t k = 0; k < kc; k++)
      for (int64_t c = 0; c < kNR; c++)
        dst[k * kNR + c] = c < n ? (trans ? b[(j + c) * ldb + k] : b[k * ldb + j + c]) : 0.0f;
  }
}

void micro_impl(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta, int m,
                int n) {
  float acc[kMR][kNR] = {};
  for (int64_t k = 0; k < kc; k++, a += kMR, b += kNR)
    for (int r = 0; r < kMR; r++)
      for (int j = 0; j < kNR; j++) acc[r][j] += a[r] * b[j];
  for (int r = 0; r < m; r++) {
    float* cr = c + r * ldc;
    for (int j = 0; j < n; j++) cr[j] = alpha * acc[r][j] + (beta != 0.0f ? beta * cr[j] : 0.0f);
  }
}

using Portable = IsaTraits<VScalar, kMR, kNR, pack_a_impl, pack_b_impl, micro_impl>;

}  // namespace

const KernelTable* table_portable() {
  static const KernelTable table =
      make_table<Portable, 32>("portable", Blocking{256, 128, 4096});
  return &table;
}

}  // namespace slurry
