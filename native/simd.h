// Thin SIMD wrappers, one struct per instruction set, so each fused kernel is written once as
// a template over the vector type and compiled into every ISA translation unit with that
// unit's flags (fused.h). Only the unit compiled with the matching -m flags may include
// the AVX structs; the portable one is plain C++.
//
// Every member is static inline and every struct is distinct, so the copies compiled with
// different flags never meet at link time (no ODR clash between ISA units).
#pragma once

#include <cstdint>
#include <cstring>

#if defined(SLURRY_ISA_AVX512) || defined(SLURRY_ISA_AVX2)
#include <immintrin.h>
#endif

namespace slurry {

// Shared scalar constants of the vector exp (range reduction e^x = 2^n e^r, |r| <= ln2/2,
// degree-6 Taylor-like polynomial for e^r; about 1 ulp on the reduced range).
struct ExpConst {
  static constexpr float kLog2e = 1.44269504088896341f;
  static constexpr float kLn2Hi = 0.693359375f;
  static constexpr float kLn2Lo = -2.12194440e-4f;
  static constexpr float kMax = 88.3762626647949f;
  static constexpr float kMin = -87.3365447504f;  // below this e^x is 0 in our float32 (no denormals)
  static constexpr float kP0 = 1.9875691500E-4f;
  static constexpr float kP1 = 1.3981999507E-3f;
  static constexpr float kP2 = 8.3334519073E-3f;
  static constexpr float kP3 = 4.1665795894E-2f;
  static constexpr float kP4 = 1.6666665459E-1f;
  static constexpr float kP5 = 5.0000001201E-1f;
};

// e^x from the primitives of V: shared by every ISA so all paths compute the same formula.
template <class V>
static inline typename V::R exp_impl(typename V::R x) {
  using R = typename V::R;
  const R x0 = x;
  // Clamp with the constant first: max/min return their second operand for NaN, so NaN
  // inputs stay NaN (a diverged loss must not be hidden).
  x = V::min(V::set1(ExpConst::kMax), V::max(V::set1(ExpConst::kMin), x));
  R n = V::round(V::mul(x, V::set1(ExpConst::kLog2e)));
  R r = V::fnmadd(n, V::set1(ExpConst::kLn2Hi), x);
  r = V::fnmadd(n, V::set1(ExpConst::kLn2Lo), r);
  R p = V::set1(ExpConst::kP0);
  p = V::fmadd(p, r, V::set1(ExpConst::kP1));
  p = V::fmadd(p, r, V::set1(ExpConst::kP2));
  p = V::fmadd(p, r, V::set1(ExpConst::kP3));
  p = V::fmadd(p, r, V::set1(ExpConst::kP4));
  p = V::fmadd(p, r, V::set1(ExpConst::kP5));
  const R r2 = V::mul(r, r);
  p = V::fmadd(p, r2, V::add(r, V::set1(1.0f)));
  return V::zero_below_min(V::scale_pow2(p, n), x0);
}

#if defined(SLURRY_ISA_AVX512)
struct V512 {
  using R = __m512;
  static constexpr int W = 16;
  static inline __mmask16 mask(int n) { return (__mmask16)((1u << n) - 1u); }
  static inline R load(const float* p) { return _mm512_loadu_ps(p); }
  static inline R loadn(const float* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  // n lanes from p, the others `fill` (n == W allowed)
  static inline R loadn_or(const float* p, int n, float fill) {
    return n >= W ? load(p) : _mm512_mask_loadu_ps(_mm512_set1_ps(fill), mask(n), p);
  }
  static inline void store(float* p, R v) { _mm512_storeu_ps(p, v); }
  static inline void storen(float* p, R v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static inline R set1(float x) { return _mm512_set1_ps(x); }
  static inline R zero() { return _mm512_setzero_ps(); }
  static inline R add(R a, R b) { return _mm512_add_ps(a, b); }
  static inline R sub(R a, R b) { return _mm512_sub_ps(a, b); }
  static inline R mul(R a, R b) { return _mm512_mul_ps(a, b); }
  static inline R div(R a, R b) { return _mm512_div_ps(a, b); }
  static inline R fmadd(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  static inline R fnmadd(R a, R b, R c) { return _mm512_fnmadd_ps(a, b, c); }
  static inline R max(R a, R b) { return _mm512_max_ps(a, b); }
  static inline R min(R a, R b) { return _mm512_min_ps(a, b); }
  static inline R sqrt(R a) { return _mm512_sqrt_ps(a); }
  static inline R round(R a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static inline R scale_pow2(R p, R n) {
    const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
  }
  // v where x >= kMin (or NaN), else 0: e^x underflows there.
  static inline R zero_below_min(R v, R x) {
    return _mm512_maskz_mov_ps(~_mm512_cmp_ps_mask(x, _mm512_set1_ps(ExpConst::kMin), _CMP_LT_OQ), v);
  }
  static inline R exp(R x) { return exp_impl<V512>(x); }
  // x > 0 ? a : 0 (ReLU and its gradient)
  static inline R where_pos(R x, R a) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ), a); }
  static inline float reduce_add(R v) { return _mm512_reduce_add_ps(v); }
  static inline float reduce_max(R v) { return _mm512_reduce_max_ps(v); }
  // sum of squares of n floats, in double lanes (8 per register), fixed order
  static inline double sum_squares(const float* p, int64_t n) {
    __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      const __m512d x0 = _mm512_cvtps_pd(_mm256_loadu_ps(p + i));
      const __m512d x1 = _mm512_cvtps_pd(_mm256_loadu_ps(p + i + 8));
      a0 = _mm512_fmadd_pd(x0, x0, a0);
      a1 = _mm512_fmadd_pd(x1, x1, a1);
    }
    if (i < n) {
      const int r = (int)(n - i);
      const __m512 t = _mm512_maskz_loadu_ps(mask(r), p + i);
      const __m512d x0 = _mm512_cvtps_pd(_mm512_castps512_ps256(t));
      const __m512d x1 = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(t), 1)));
      a0 = _mm512_fmadd_pd(x0, x0, a0);
      a1 = _mm512_fmadd_pd(x1, x1, a1);
    }
    return _mm512_reduce_add_pd(_mm512_add_pd(a0, a1));
  }
};
#endif

#if defined(SLURRY_ISA_AVX2)
struct V256 {
  using R = __m256;
  static constexpr int W = 8;
  static inline __m256i mask(int n) {
    alignas(32) static const int32_t table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i*)(table + 8 - n));
  }
  static inline R load(const float* p) { return _mm256_loadu_ps(p); }
  static inline R loadn(const float* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
  static inline R loadn_or(const float* p, int n, float fill) {
    if (n >= W) return load(p);
    const __m256i m = mask(n);
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
  }
  static inline void store(float* p, R v) { _mm256_storeu_ps(p, v); }
  static inline void storen(float* p, R v, int n) { _mm256_maskstore_ps(p, mask(n), v); }
  static inline R set1(float x) { return _mm256_set1_ps(x); }
  static inline R zero() { return _mm256_setzero_ps(); }
  static inline R add(R a, R b) { return _mm256_add_ps(a, b); }
  static inline R sub(R a, R b) { return _mm256_sub_ps(a, b); }
  static inline R mul(R a, R b) { return _mm256_mul_ps(a, b); }
  static inline R div(R a, R b) { return _mm256_div_ps(a, b); }
  static inline R fmadd(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  static inline R fnmadd(R a, R b, R c) { return _mm256_fnmadd_ps(a, b, c); }
  static inline R max(R a, R b) { return _mm256_max_ps(a, b); }
  static inline R min(R a, R b) { return _mm256_min_ps(a, b); }
  static inline R sqrt(R a) { return _mm256_sqrt_ps(a); }
  static inline R round(R a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static inline R scale_pow2(R p, R n) {
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
  }
  static inline R zero_below_min(R v, R x) {
    return _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_set1_ps(ExpConst::kMin), _CMP_LT_OQ), v);
  }
  static inline R exp(R x) { return exp_impl<V256>(x); }
  static inline R where_pos(R x, R a) { return _mm256_and_ps(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ), a); }
  static inline float reduce_add(R v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static inline float reduce_max(R v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static inline double sum_squares(const float* p, int64_t n) {
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m256d x0 = _mm256_cvtps_pd(_mm_loadu_ps(p + i));
      const __m256d x1 = _mm256_cvtps_pd(_mm_loadu_ps(p + i + 4));
      a0 = _mm256_fmadd_pd(x0, x0, a0);
      a1 = _mm256_fmadd_pd(x1, x1, a1);
    }
    double s = 0;
    for (; i < n; i++) s += (double)p[i] * (double)p[i];
    __m256d a = _mm256_add_pd(a0, a1);
    __m128d h = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    h = _mm_add_sd(h, _mm_unpackhi_pd(h, h));
    return _mm_cvtsd_f64(h) + s;
  }
};
#endif

// One lane of plain C++: the fallback for CPUs without AVX2 (or other architectures).
struct VScalar {
  using R = float;
  static constexpr int W = 1;
  static inline R load(const float* p) { return *p; }
  static inline R loadn(const float* p, int n) { return n > 0 ? *p : 0.0f; }
  static inline R loadn_or(const float* p, int n, float fill) { return n > 0 ? *p : fill; }
  static inline void store(float* p, R v) { *p = v; }
  static inline void storen(float* p, R v, int n) {
    if (n > 0) *p = v;
  }
  static inline R set1(float x) { return x; }
  static inline R zero() { return 0.0f; }
  static inline R add(R a, R b) { return a + b; }
  static inline R sub(R a, R b) { return a - b; }
  static inline R mul(R a, R b) { return a * b; }
  static inline R div(R a, R b) { return a / b; }
  static inline R fmadd(R a, R b, R c) { return a * b + c; }
  static inline R fnmadd(R a, R b, R c) { return c - a * b; }
  static inline R max(R a, R b) { return a > b ? a : b; }
  static inline R min(R a, R b) { return a < b ? a : b; }
  static inline R sqrt(R a) { return __builtin_sqrtf(a); }
  static inline R round(R a) { return __builtin_nearbyintf(a); }
  static inline R scale_pow2(R p, R n) {
    const int32_t e = ((n == n ? (int32_t)n : 0) + 127) << 23;  // NaN: p is NaN already
    float s;
    std::memcpy(&s, &e, sizeof s);
    return p * s;
  }
  static inline R zero_below_min(R v, R x) { return x < ExpConst::kMin ? 0.0f : v; }
  static inline R exp(R x) { return exp_impl<VScalar>(x); }
  static inline R where_pos(R x, R a) { return x > 0.0f ? a : 0.0f; }
  static inline float reduce_add(R v) { return v; }
  static inline float reduce_max(R v) { return v; }
  static inline double sum_squares(const float* p, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)p[i] * (double)p[i];
    return s;
  }
};

// Peak-throughput probe of the benchmark: kChains independent FMA chains on V, enough to
// cover the FMA latency on every port; returns the flops executed. Internal linkage, so
// each ISA unit keeps its own copy, compiled with its own flags.
template <class V, int kChains>
static double fma_loop(int64_t iters) {
  typename V::R acc[kChains];
  for (int i = 0; i < kChains; i++) acc[i] = V::set1(0.001f * (float)i);
  const typename V::R x = V::set1(0.999f), y = V::set1(0.001f);
  for (int64_t it = 0; it < iters; it++) {
#pragma GCC unroll 32
    for (int i = 0; i < kChains; i++) acc[i] = V::fmadd(acc[i], x, y);
  }
  typename V::R s = acc[0];
  for (int i = 1; i < kChains; i++) s = V::add(s, acc[i]);
  volatile float sink = V::reduce_add(s);
  (void)sink;
  return (double)iters * kChains * 2 * V::W;
}

}  // namespace slurry
