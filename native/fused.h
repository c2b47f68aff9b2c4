// Every kernel except the GEMM driver, written once as templates over an ISA's traits Isa
// (Isa::V the vector wrapper of simd.h; Isa::MR, NR, pack_a, pack_b, micro its GEMM
// toolkit) and instantiated by each ISA unit with that unit's compiler flags. The traits
// types live in anonymous namespaces, so every instantiation is local to its unit.
//
// Threading: each kernel cuts its work by index into pieces whose results do not depend on
// how the pieces are grouped (rows, column blocks, fixed-size chunks, (batch, head) pairs),
// so the output is bit-identical for any thread count. Backward kernels accumulate (+=).
#pragma once

#include <cmath>
#include <cstdint>

#include "pool.h"
#include "simd.h"
#include "table.h"

namespace slurry {

// The traits of one ISA unit: its vector wrapper and its GEMM pieces as compile-time
// functions, so the attention kernels below inline them. Each unit names its own with
//   using Avx2 = IsaTraits<V256, kMR, kNR, pack_a_impl, pack_b_impl, micro_impl>;
template <class Vec, int kMr, int kNr, auto PackA, auto PackB, auto Micro, int kKp = 1>
struct IsaTraits {
  using V = Vec;
  static constexpr int MR = kMr, NR = kNr, KP = kKp;
  static constexpr auto pack_a = PackA;
  static constexpr auto pack_b = PackB;
  static constexpr auto micro = Micro;
};

template <class Isa>
struct Fused {
  using V = typename Isa::V;
  using R = typename V::R;
  static constexpr int W = V::W;
  // Elementwise kernels work in chunks of this many floats (a multiple of every W, so the
  // full/partial vector split is the same whatever the thread count).
  static constexpr int64_t kChunk = 4096;
  // Least work worth handing a thread: below about this many floats touched per thread,
  // waking a worker costs more than it saves.
  static constexpr int64_t kMinPerThread = 16384;

  static inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
  static inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }
  // Grain (in items) so that each thread gets at least kMinPerThread units of work.
  static inline int64_t grain_for(int64_t work_per_item) { return imax(1, kMinPerThread / imax(1, work_per_item)); }

  // Calls body(i, count) for each vector step over [i0, i1): count == W except the last.
  template <class F>
  static inline void vec_loop(int64_t i0, int64_t i1, F&& body) {
    int64_t i = i0;
    for (; i + W <= i1; i += W) body(i, W);
    if (i < i1) body(i, (int)(i1 - i));
  }
  static inline R ld(const float* p, int n) { return n == W ? V::load(p) : V::loadn(p, n); }
  static inline void st(float* p, R v, int n) {
    if (n == W) V::store(p, v);
    else V::storen(p, v, n);
  }

  // Runs body(i0, i1) over [0, n) in kChunk pieces spread over the threads.
  template <class F>
  static inline void chunked(int64_t n, F&& body) {
    const int64_t chunks = (n + kChunk - 1) / kChunk;
    parallel_for(chunks, grain_for(kChunk), [&](int64_t b, int64_t e) { body(b * kChunk, imin(n, e * kChunk)); });
  }

  // ---- elementwise --------------------------------------------------------------------

  static void add(float* out, const float* a, const float* b, int64_t n) {
    chunked(n, [&](int64_t i0, int64_t i1) {
      vec_loop(i0, i1, [&](int64_t i, int c) { st(out + i, V::add(ld(a + i, c), ld(b + i, c)), c); });
    });
  }

  static void axpy(float* dst, const float* src, float alpha, int64_t n) {
    const R va = V::set1(alpha);
    chunked(n, [&](int64_t i0, int64_t i1) {
      vec_loop(i0, i1, [&](int64_t i, int c) { st(dst + i, V::fmadd(va, ld(src + i, c), ld(dst + i, c)), c); });
    });
  }

  static void scale(float* buf, float s, int64_t n) {
    const R vs = V::set1(s);
    chunked(n, [&](int64_t i0, int64_t i1) {
      vec_loop(i0, i1, [&](int64_t i, int c) { st(buf + i, V::mul(ld(buf + i, c), vs), c); });
    });
  }

  static double sum_squares(const float* buf, int64_t n) {
    // Fixed chunks, each summed in double lanes, then the chunk sums in index order.
    const int64_t chunks = (n + kChunk - 1) / kChunk;
    if (chunks <= 1) return V::sum_squares(buf, n);
    double* part = reinterpret_cast<double*>(scratch(7, size_t(chunks) * 2));
    parallel_for(chunks, grain_for(kChunk), [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; c++) part[c] = V::sum_squares(buf + c * kChunk, imin(kChunk, n - c * kChunk));
    });
    double s = 0;
    for (int64_t c = 0; c < chunks; c++) s += part[c];
    return s;
  }

  static void relu_forward(float* out, const float* inp, int64_t n) {
    chunked(n, [&](int64_t i0, int64_t i1) {
      vec_loop(i0, i1, [&](int64_t i, int c) {
        const R x = ld(inp + i, c);
        st(out + i, V::where_pos(x, x), c);
      });
    });
  }

  static void relu_backward(float* dinp, const float* inp, const float* dout, int64_t n) {
    chunked(n, [&](int64_t i0, int64_t i1) {
      vec_loop(i0, i1, [&](int64_t i, int c) {
        st(dinp + i, V::add(ld(dinp + i, c), V::where_pos(ld(inp + i, c), ld(dout + i, c))), c);
      });
    });
  }

  // GELU, tanh form. With s = sigmoid(2u) = 1 / (1 + e^{-2u}): 0.5 (1 + tanh u) = s, so
  // gelu(x) = x s without the cancellation of 1 + tanh(u) for negative u; and
  // gelu'(x) = s + 2 x u' s (1 - s) with 1 - s = e^{-2u} s.
  static constexpr float kGeluC = 0.7978845608028654f;  // sqrt(2 / pi)
  static constexpr float kGeluA = 0.044715f;
  static inline R gelu_exp(R x, R x2) {  // e^{-2u}, -2u clamped to [-80, 80] (keeps s normal)
    const R u = V::mul(x, V::fmadd(V::set1(kGeluC * kGeluA), x2, V::set1(kGeluC)));
    const R t = V::min(V::set1(80.0f), V::max(V::set1(-80.0f), V::mul(V::set1(-2.0f), u)));
    return V::exp(t);
  }

  static void gelu_forward(float* out, const float* inp, int64_t n) {
    chunked(n, [&](int64_t i0, int64_t i1) {
      vec_loop(i0, i1, [&](int64_t i, int c) {
        const R x = ld(inp + i, c);
        const R e = gelu_exp(x, V::mul(x, x));
        st(out + i, V::div(x, V::add(V::set1(1.0f), e)), c);
      });
    });
  }

  static void gelu_backward(float* dinp, const float* inp, const float* dout, int64_t n) {
    chunked(n, [&](int64_t i0, int64_t i1) {
      vec_loop(i0, i1, [&](int64_t i, int c) {
        const R x = ld(inp + i, c);
        const R x2 = V::mul(x, x);
        const R e = gelu_exp(x, x2);
        const R s = V::div(V::set1(1.0f), V::add(V::set1(1.0f), e));
        const R du = V::fmadd(V::set1(3.0f * kGeluC * kGeluA), x2, V::set1(kGeluC));
        // s + 2 x du s (e s), e s = 1 - s <= 1 (no underflow of s^2 for very negative x)
        const R g = V::fmadd(V::mul(V::mul(V::set1(2.0f), x), du), V::mul(s, V::mul(e, s)), s);
        st(dinp + i, V::fmadd(g, ld(dout + i, c), ld(dinp + i, c)), c);
      });
    });
  }

  static void adamw(float* param, const float* grad, float* m, float* v, int64_t n, float lr, float beta1, float c1,
                    float beta2, float c2, float eps, float wd, float ibc1, float ibc2, float gscale) {
    const R vb1 = V::set1(beta1), vc1 = V::set1(c1), vb2 = V::set1(beta2), vc2 = V::set1(c2);
    const R veps = V::set1(eps), vwd = V::set1(wd), vi1 = V::set1(ibc1), vi2 = V::set1(ibc2), vgs = V::set1(gscale);
    const R vlr = V::set1(lr);
    chunked(n, [&](int64_t i0, int64_t i1) {
      vec_loop(i0, i1, [&](int64_t i, int c) {
        const R g = V::mul(ld(grad + i, c), vgs);
        const R mi = V::fmadd(vb1, ld(m + i, c), V::mul(vc1, g));
        const R vi = V::fmadd(vb2, ld(v + i, c), V::mul(V::mul(vc2, g), g));
        const R p = ld(param + i, c);
        const R step = V::fmadd(vwd, p, V::div(V::mul(mi, vi1), V::add(V::sqrt(V::mul(vi, vi2)), veps)));
        st(m + i, mi, c);
        st(v + i, vi, c);
        st(param + i, V::fnmadd(vlr, step, p), c);
      });
    });
  }

  // ---- rows and columns ---------------------------------------------------------------

  static void add_bias(float* out, const float* bias, int64_t N, int64_t O) {
    parallel_for(N, grain_for(O), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) {
        float* row = out + r * O;
        vec_loop(0, O, [&](int64_t o, int c) { st(row + o, V::add(ld(row + o, c), ld(bias + o, c)), c); });
      }
    });
  }

  // Column blocks: a block sums its columns over all rows in row order, so no two threads
  // ever add into the same output and the order is fixed.
  static constexpr int64_t kColBlock = 4 * W;

  static void bias_backward(float* dbias, const float* dout, int64_t N, int64_t O) {
    const int64_t blocks = (O + kColBlock - 1) / kColBlock;
    parallel_for(blocks, grain_for(N * kColBlock), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; b++) {
        const int64_t o0 = b * kColBlock, width = imin(kColBlock, O - o0);
        R acc[4] = {V::zero(), V::zero(), V::zero(), V::zero()};
        for (int64_t r = 0; r < N; r++) {
          const float* row = dout + r * O + o0;
          for (int j = 0; j < 4 && j * W < width; j++) acc[j] = V::add(acc[j], ld(row + j * W, (int)imin(W, width - j * W)));
        }
        for (int j = 0; j < 4 && j * W < width; j++) {
          const int c = (int)imin(W, width - j * W);
          st(dbias + o0 + j * W, V::add(ld(dbias + o0 + j * W, c), acc[j]), c);
        }
      }
    });
  }

  static void embedding_forward(float* out, const int32_t* ids, const float* wte, const float* wpe, int64_t BT,
                                int64_t T, int64_t C) {
    parallel_for(BT, grain_for(C), [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; i++) {
        const float* e = wte + int64_t(ids[i]) * C;
        float* o = out + i * C;
        if (wpe) {
          const float* p = wpe + (i % T) * C;
          vec_loop(0, C, [&](int64_t c0, int c) { st(o + c0, V::add(ld(e + c0, c), ld(p + c0, c)), c); });
        } else {
          vec_loop(0, C, [&](int64_t c0, int c) { st(o + c0, ld(e + c0, c), c); });
        }
      }
    });
  }

  // Scatter-add by column blocks: each block walks all rows in order, so rows that share a
  // token id add up in index order without races.
  static void embedding_backward(float* dwte, float* dwpe, const float* dout, const int32_t* ids, int64_t BT,
                                 int64_t T, int64_t C) {
    const int64_t blocks = (C + kColBlock - 1) / kColBlock;
    parallel_for(blocks, grain_for(BT * kColBlock), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; b++) {
        const int64_t c0 = b * kColBlock, width = imin(kColBlock, C - c0);
        for (int64_t i = 0; i < BT; i++) {
          const float* d = dout + i * C + c0;
          float* e = dwte + int64_t(ids[i]) * C + c0;
          float* p = dwpe ? dwpe + (i % T) * C + c0 : nullptr;
          vec_loop(0, width, [&](int64_t j, int c) {
            const R g = ld(d + j, c);
            st(e + j, V::add(ld(e + j, c), g), c);
            if (p) st(p + j, V::add(ld(p + j, c), g), c);
          });
        }
      }
    });
  }

  static inline float row_sum(const float* x, int64_t n) {
    R acc = V::zero();
    vec_loop(0, n, [&](int64_t i, int c) { acc = V::add(acc, ld(x + i, c)); });
    return V::reduce_add(acc);
  }

  static void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* w,
                                const float* b, int64_t N, int64_t C, float eps) {
    parallel_for(N, grain_for(3 * C), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) {
        const float* x = inp + r * C;
        float* o = out + r * C;
        const float m = row_sum(x, C) / (float)C;
        const R vm = V::set1(m);
        R acc = V::zero();
        vec_loop(0, C, [&](int64_t i, int c) {
          const R d = V::sub(V::loadn_or(x + i, c, m), vm);  // masked lanes load m: d = 0 there
          acc = V::fmadd(d, d, acc);
        });
        const float var = V::reduce_add(acc) / (float)C;
        const float s = 1.0f / std::sqrt(var + eps);
        const R vs = V::set1(s);
        vec_loop(0, C, [&](int64_t i, int c) {
          const R xh = V::mul(V::sub(ld(x + i, c), vm), vs);
          st(o + i, V::fmadd(xh, ld(w + i, c), ld(b + i, c)), c);
        });
        mean[r] = m;
        rstd[r] = s;
      }
    });
  }

  static void layernorm_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp,
                                 const float* w, const float* mean, const float* rstd, int64_t N, int64_t C) {
    // dinp, row by row: dx = s (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dout w.
    parallel_for(N, grain_for(4 * C), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) {
        const float* x = inp + r * C;
        const float* d = dout + r * C;
        float* dx = dinp + r * C;
        const R vm = V::set1(mean[r]), vs = V::set1(rstd[r]);
        R sd = V::zero(), sdx = V::zero();
        vec_loop(0, C, [&](int64_t i, int c) {
          const R xh = V::mul(V::sub(ld(x + i, c), vm), vs);
          const R dxh = V::mul(ld(d + i, c), ld(w + i, c));  // zero in masked lanes
          sd = V::add(sd, dxh);
          sdx = V::fmadd(dxh, xh, sdx);
        });
        const R md = V::set1(V::reduce_add(sd) / (float)C), mdx = V::set1(V::reduce_add(sdx) / (float)C);
        vec_loop(0, C, [&](int64_t i, int c) {
          const R xh = V::mul(V::sub(ld(x + i, c), vm), vs);
          const R dxh = V::mul(ld(d + i, c), ld(w + i, c));
          const R g = V::mul(vs, V::fnmadd(xh, mdx, V::sub(dxh, md)));
          st(dx + i, V::add(ld(dx + i, c), g), c);
        });
      }
    });
    // dw, db by column blocks over all rows in order.
    const int64_t blocks = (C + kColBlock - 1) / kColBlock;
    parallel_for(blocks, grain_for(2 * N * kColBlock), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; b++) {
        const int64_t c0 = b * kColBlock, width = imin(kColBlock, C - c0);
        R aw[4] = {V::zero(), V::zero(), V::zero(), V::zero()};
        R ab[4] = {V::zero(), V::zero(), V::zero(), V::zero()};
        for (int64_t r = 0; r < N; r++) {
          const float* x = inp + r * C + c0;
          const float* d = dout + r * C + c0;
          const R vm = V::set1(mean[r]), vs = V::set1(rstd[r]);
          for (int j = 0; j < 4 && j * W < width; j++) {
            const int c = (int)imin(W, width - j * W);
            const R dj = ld(d + j * W, c);
            aw[j] = V::fmadd(dj, V::mul(V::sub(ld(x + j * W, c), vm), vs), aw[j]);
            ab[j] = V::add(ab[j], dj);
          }
        }
        for (int j = 0; j < 4 && j * W < width; j++) {
          const int c = (int)imin(W, width - j * W);
          st(dw + c0 + j * W, V::add(ld(dw + c0 + j * W, c), aw[j]), c);
          st(db + c0 + j * W, V::add(ld(db + c0 + j * W, c), ab[j]), c);
        }
      }
    });
  }

  // ---- softmax cross-entropy ----------------------------------------------------------

  static inline float row_max(const float* x, int64_t n) {
    R acc = V::set1(-INFINITY);
    vec_loop(0, n, [&](int64_t i, int c) { acc = V::max(acc, V::loadn_or(x + i, c, -INFINITY)); });
    return V::reduce_max(acc);
  }

  // sum_i e^{x_i - shift} (masked lanes load -inf, whose exp is 0)
  static inline float row_sum_exp(const float* x, int64_t n, float shift) {
    const R vs = V::set1(shift);
    R acc = V::zero();
    vec_loop(0, n, [&](int64_t i, int c) { acc = V::add(acc, V::exp(V::sub(V::loadn_or(x + i, c, -INFINITY), vs))); });
    return V::reduce_add(acc);
  }

  static void cross_entropy_forward(float* losses, float* lse, const float* logits, const int32_t* targets, int64_t N,
                                    int64_t Vn, int32_t ignore) {
    parallel_for(N, grain_for(4 * Vn), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) {
        const float* row = logits + r * Vn;
        const float mx = row_max(row, Vn);
        const float l = (float)((double)mx + std::log((double)row_sum_exp(row, Vn, mx)));
        lse[r] = l;
        losses[r] = targets[r] == ignore ? 0.0f : l - row[targets[r]];
      }
    });
  }

  static void cross_entropy_backward(float* dlogits, const float* logits, const float* lse, const int32_t* targets,
                                     const float* dlosses, int64_t N, int64_t Vn, int32_t ignore) {
    parallel_for(N, grain_for(4 * Vn), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) {
        if (targets[r] == ignore) continue;
        const float* row = logits + r * Vn;
        float* d = dlogits + r * Vn;
        const R vl = V::set1(lse[r]), vg = V::set1(dlosses[r]);
        vec_loop(0, Vn, [&](int64_t i, int c) {
          st(d + i, V::fmadd(vg, V::exp(V::sub(ld(row + i, c), vl)), ld(d + i, c)), c);
        });
        d[targets[r]] -= dlosses[r];
      }
    });
  }

  // ---- GEMM with few rows ---------------------------------------------------------------

  // C[0..M, n0..n1) = alpha op(A) op(B) + beta C for M <= kSmallM, without packing B. The
  // rows of op(A) are copied to contiguous scratch first (they are few).
  static void gemm_small_m(bool ta, bool tb, int64_t M, int64_t n0, int64_t n1, int64_t K, float alpha,
                           const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                           int64_t ldc) {
    float* a = scratch(5, size_t(M * K));
    for (int64_t i = 0; i < M; i++)
      for (int64_t k = 0; k < K; k++) a[i * K + k] = ta ? A[k * lda + i] : A[i * lda + k];
    switch (M) {
      case 1: return small_m_rows<1>(tb, n0, n1, K, alpha, a, B, ldb, beta, C, ldc);
      case 2: return small_m_rows<2>(tb, n0, n1, K, alpha, a, B, ldb, beta, C, ldc);
      case 3: return small_m_rows<3>(tb, n0, n1, K, alpha, a, B, ldb, beta, C, ldc);
      default: return small_m_rows<4>(tb, n0, n1, K, alpha, a, B, ldb, beta, C, ldc);
    }
  }
  static_assert(kSmallM == 4, "gemm_small_m dispatches M = 1..4");

  static inline R scale_into(R acc, float alpha, float beta, const float* c, int n) {
    const R v = V::mul(acc, V::set1(alpha));
    return beta == 0.0f ? v : V::fmadd(V::set1(beta), ld(c, n), v);
  }

  template <int MM>
  static void small_m_rows(bool tb, int64_t n0, int64_t n1, int64_t K, float alpha, const float* a, const float* B,
                           int64_t ldb, float beta, float* C, int64_t ldc) {
    if (!tb) {  // B rows are contiguous in j: broadcast a[i][k] against 4 vectors of B's row k
      for (int64_t j = n0; j < n1; j += 4 * W) {
        const int64_t width = imin(4 * W, n1 - j);
        R acc[MM][4];
        for (int i = 0; i < MM; i++)
          for (int q = 0; q < 4; q++) acc[i][q] = V::zero();
        for (int64_t k = 0; k < K; k++) {
          const float* brow = B + k * ldb + j;
          R b[4];
          for (int q = 0; q < 4; q++) b[q] = q * W < width ? ld(brow + q * W, (int)imin(W, width - q * W)) : V::zero();
          for (int i = 0; i < MM; i++) {
            const R ai = V::set1(a[i * K + k]);
            for (int q = 0; q < 4; q++) acc[i][q] = V::fmadd(ai, b[q], acc[i][q]);
          }
        }
        for (int i = 0; i < MM; i++)
          for (int q = 0; q < 4 && q * W < width; q++) {
            float* c = C + i * ldc + j + q * W;
            const int n = (int)imin(W, width - q * W);
            st(c, scale_into(acc[i][q], alpha, beta, c, n), n);
          }
      }
    } else {  // B stored [N, K]: each C[i][j] is a dot product of two contiguous rows
      for (int64_t j = n0; j < n1; j++) {
        const float* bj = B + j * ldb;
        R acc[MM];
        for (int i = 0; i < MM; i++) acc[i] = V::zero();
        vec_loop(0, K, [&](int64_t k, int c) {
          const R bv = ld(bj + k, c);
          for (int i = 0; i < MM; i++) acc[i] = V::fmadd(ld(a + i * K + k, c), bv, acc[i]);
        });
        for (int i = 0; i < MM; i++) {
          float* c = C + i * ldc + j;
          const float v = alpha * V::reduce_add(acc[i]);
          *c = beta == 0.0f ? v : v + beta * *c;
        }
      }
    }
  }

  // ---- causal attention ---------------------------------------------------------------
  //
  // One task per (batch, head). Each product is a small GEMM done with the ISA's packing
  // routines and micro-kernel, skipping the tiles and k ranges the causal mask makes zero:
  //   forward   S = scale Q K^T (lower tiles), softmax rows -> att, out = P V (k < row tile end)
  //   backward  dP = dO V^T (lower tiles), dV += P^T dO (k >= row tile start),
  //             dS = P (dP - rowsum(P dP)) scale, dQ += dS K (k < end), dK += dS^T Q (k >= start)

  static constexpr int MR = Isa::MR, NR = Isa::NR;
  static inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

  enum class Tiles { kLowerFullK, kKBelowRowEnd, kKFromRowStart };

  // C[M, N] (ldc) = alpha * A B + beta * C over packed operands of depth Kd, restricted as
  // `mode` says. A panels are ceil(Kd/KP)*MR elements each, B panels ceil(Kd/KP)*NR. Every k
  // range starts at a multiple of MR, so at a whole packed element.
  static constexpr int KP = Isa::KP;
  static_assert(MR % KP == 0, "row tiles must start at whole packed elements of k");
  static void tiles(Tiles mode, int64_t M, int64_t N, int64_t Kd, const float* ap, const float* bp, float* c,
                    int64_t ldc, float alpha, float beta) {
    const int64_t kdu = (Kd + KP - 1) / KP;
    for (int64_t i0 = 0; i0 < M; i0 += MR) {
      const int m = (int)imin(MR, M - i0);
      int64_t k0 = 0, k1 = Kd, n_end = N;
      if (mode == Tiles::kLowerFullK) n_end = imin(N, i0 + MR);
      if (mode == Tiles::kKBelowRowEnd) k1 = imin(Kd, i0 + MR);
      if (mode == Tiles::kKFromRowStart) k0 = i0;
      const float* a = ap + (i0 / MR) * kdu * MR + k0 / KP * MR;
      for (int64_t j0 = 0; j0 < n_end; j0 += NR) {
        const float* b = bp + (j0 / NR) * kdu * NR + k0 / KP * NR;
        Isa::micro(k1 - k0, a, b, c + i0 * ldc + j0, ldc, alpha, beta, m, (int)imin(NR, N - j0));
      }
    }
  }

  static void attention_forward(float* out, float* att, const float* qkv, int64_t B, int64_t T, int64_t C,
                                int64_t H) {
    const int64_t hs = C / H, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)hs);
    const int64_t Kmax = imax(T, hs);
    parallel_for(B * H, grain_for(T * T * hs / 4 + T * T), [&](int64_t t0, int64_t t1) {
      float* apack = scratch(2, size_t(round_up(T, MR) * Kmax));
      float* bpack = scratch(3, size_t(round_up(Kmax, NR) * Kmax));
      for (int64_t task = t0; task < t1; task++) {
        const int64_t b = task / H, h = task % H;
        const float* q = qkv + b * T * C3 + h * hs;
        const float* k = q + C;
        const float* v = q + 2 * C;
        float* a = att + task * T * T;
        // S = scale Q K^T on the tiles that touch the lower triangle
        Isa::pack_a(false, T, hs, q, C3, apack);
        Isa::pack_b(true, hs, T, k, C3, bpack);
        tiles(Tiles::kLowerFullK, T, T, hs, apack, bpack, a, T, scale, 0.0f);
        for (int64_t t = 0; t < T; t++) softmax_causal_row(a + t * T, t + 1, T);
        // out = P V, P zero above the diagonal
        Isa::pack_a(false, T, T, a, T, apack);
        Isa::pack_b(false, T, hs, v, C3, bpack);
        tiles(Tiles::kKBelowRowEnd, T, hs, T, apack, bpack, out + b * T * C + h * hs, C, 1.0f, 0.0f);
      }
    });
  }

  // ---- causal attention over short sequences -------------------------------------------
  //
  // At T <= kDirectT (the grokking task's T = 3) packing GEMM tiles for each (batch, head)
  // costs far more than its products, so each query's scores, softmax and weighted sum are
  // computed directly by attend_query, as in tree attention. The fp32
  // tables use these entry points; the bf16 table keeps the GEMM path, whose products take
  // bf16 operands. Alternating the two paths on 12,000 rows of width 128 in 4 heads, the
  // direct one was about twice as fast at T = 3 and 4, faster at 8, and level or slower
  // from 12 on.

  static constexpr int64_t kDirectT = 8;

  static void attention_forward_any_t(float* out, float* att, const float* qkv, int64_t B, int64_t T, int64_t C,
                                      int64_t H) {
    if (T > kDirectT) return attention_forward(out, att, qkv, B, T, C, H);
    const int64_t hs = C / H, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)hs);
    parallel_for(B * H, grain_for(T * T * hs), [&](int64_t t0, int64_t t1) {
      for (int64_t task = t0; task < t1; task++) {
        const int64_t b = task / H, h = task % H;
        const float* rows = qkv + b * T * C3 + h * hs;  // row u: q at rows + u C3, k at + C, v at + 2C
        auto head = [&](int64_t u) { return rows + u * C3; };
        for (int64_t t = 0; t < T; t++)
          attend_query(rows + t * C3, head, t + 1, T, C, hs, scale, att + (task * T + t) * T,
                       out + (b * T + t) * C + h * hs);
      }
    });
  }

  static void attention_backward_any_t(float* dqkv, const float* dout, const float* qkv, const float* att, int64_t B,
                                       int64_t T, int64_t C, int64_t H) {
    if (T > kDirectT) return attention_backward(dqkv, dout, qkv, att, B, T, C, H);
    const int64_t hs = C / H, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)hs);
    parallel_for(B * H, grain_for(3 * T * T * hs), [&](int64_t t0, int64_t t1) {
      float* ds = scratch(4, size_t(T));
      for (int64_t task = t0; task < t1; task++) {
        const int64_t b = task / H, h = task % H;
        const int64_t off = b * T * C3 + h * hs;
        const float* rows = qkv + off;
        float* drows = dqkv + off;
        for (int64_t t = 0; t < T; t++) {
          const float* p = att + (task * T + t) * T;
          const float* dO = dout + (b * T + t) * C + h * hs;
          // dP[u] = dO . v_u and dV_u += P[u] dO
          for (int64_t u = 0; u <= t; u++) {
            const float* v = rows + u * C3 + 2 * C;
            float* dv = drows + u * C3 + 2 * C;
            const R pu = V::set1(p[u]);
            R acc = V::zero();
            vec_loop(0, hs, [&](int64_t i, int c) {
              const R o = ld(dO + i, c);
              acc = V::fmadd(o, ld(v + i, c), acc);
              st(dv + i, V::fmadd(pu, o, ld(dv + i, c)), c);
            });
            ds[u] = V::reduce_add(acc);
          }
          // dS = P (dP - sum_u P dP) scale, then dQ_t += sum_u dS[u] k_u and dK_u += dS[u] q_t
          softmax_backward_row(ds, p, t + 1, t + 1, scale);
          const float* q = rows + t * C3;
          float* dq = drows + t * C3;
          for (int64_t u = 0; u <= t; u++) {
            const float* k = rows + u * C3 + C;
            float* dk = drows + u * C3 + C;
            const R su = V::set1(ds[u]);
            vec_loop(0, hs, [&](int64_t i, int c) {
              st(dq + i, V::fmadd(su, ld(k + i, c), ld(dq + i, c)), c);
              st(dk + i, V::fmadd(su, ld(q + i, c), ld(dk + i, c)), c);
            });
          }
        }
      }
    });
  }

  // One query of one head over n keys, in vector registers along the head: p[u] = scale q.k_u,
  // p[0..n) <- softmax, p[n..len) <- 0, o = sum_u p[u] v_u. head(u) points at key u's slice of
  // its packed q | k | v row (k at + C, v at + 2C).
  template <class Head>
  static inline void attend_query(const float* q, Head&& head, int64_t n, int64_t len, int64_t C, int64_t hs,
                                  float scale, float* p, float* o) {
    for (int64_t u = 0; u < n; u++) {
      const float* k = head(u) + C;
      R acc = V::zero();
      vec_loop(0, hs, [&](int64_t i, int c) { acc = V::fmadd(ld(q + i, c), ld(k + i, c), acc); });
      p[u] = V::reduce_add(acc) * scale;
    }
    softmax_causal_row(p, n, len);
    vec_loop(0, hs, [&](int64_t i, int c) {
      R acc = V::zero();
      for (int64_t u = 0; u < n; u++) acc = V::fmadd(V::set1(p[u]), ld(head(u) + 2 * C + i, c), acc);
      st(o + i, acc, c);
    });
  }

  // row[0..n) <- softmax(row[0..n)); row[n..T) <- 0
  static inline void softmax_causal_row(float* row, int64_t n, int64_t T) {
    const float mx = row_max(row, n);
    const R vm = V::set1(mx);
    R acc = V::zero();
    vec_loop(0, n, [&](int64_t i, int c) {
      const R e = V::exp(V::sub(V::loadn_or(row + i, c, -INFINITY), vm));
      acc = V::add(acc, e);
      st(row + i, e, c);
    });
    const R inv = V::set1(1.0f / V::reduce_add(acc));
    vec_loop(0, n, [&](int64_t i, int c) { st(row + i, V::mul(ld(row + i, c), inv), c); });
    vec_loop(n, T, [&](int64_t i, int c) { st(row + i, V::zero(), c); });
  }

  // Each (query, head) pair is one task (attend_query over the listed keys).
  static void tree_attention_forward(float* out, const float* qkv, const int32_t* rows, const int32_t* span_start,
                                     const int32_t* span_len, const int32_t* extra_start, const int32_t* extra,
                                     int64_t n, int64_t C, int64_t H) {
    const int64_t hs = C / H, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)hs);
    int64_t keys_total = 0;
    for (int64_t j = 0; j < n; j++) keys_total += span_len[j] + extra_start[j + 1] - extra_start[j];
    const int64_t keys_mean = imax(1, keys_total / imax(1, n));
    parallel_for(n * H, grain_for(2 * keys_mean * hs), [&](int64_t t0, int64_t t1) {
      for (int64_t task = t0; task < t1; task++) {
        const int64_t j = task / H, h = task % H;
        const int64_t L = span_len[j], X = extra_start[j + 1] - extra_start[j];
        const int32_t* more = extra + extra_start[j];
        auto key_row = [&](int64_t u) -> int64_t { return u < L ? span_start[j] + u : more[u - L]; };
        auto head = [&](int64_t u) { return qkv + key_row(u) * C3 + h * hs; };
        attend_query(qkv + rows[j] * C3 + h * hs, head, L + X, L + X, C, hs, scale, scratch(0, size_t(L + X)),
                     out + rows[j] * C + h * hs);
      }
    });
  }

  static void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, int64_t B,
                                 int64_t T, int64_t C, int64_t H) {
    const int64_t hs = C / H, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)hs);
    const int64_t Kmax = imax(T, hs);
    parallel_for(B * H, grain_for(T * T * hs / 2 + 2 * T * T), [&](int64_t t0, int64_t t1) {
      float* apack = scratch(2, size_t(round_up(T, MR) * Kmax));
      float* bpack = scratch(3, size_t(round_up(Kmax, NR) * Kmax));
      float* ds = scratch(4, size_t(T * T));
      for (int64_t task = t0; task < t1; task++) {
        const int64_t b = task / H, h = task % H;
        const int64_t off = b * T * C3 + h * hs;
        const float *q = qkv + off, *k = q + C, *v = q + 2 * C;
        float *dq = dqkv + off, *dk = dq + C, *dv = dq + 2 * C;
        const float* p = att + task * T * T;
        const float* dO = dout + b * T * C + h * hs;
        // dP = dO V^T (lower tiles) into ds
        Isa::pack_a(false, T, hs, dO, C, apack);
        Isa::pack_b(true, hs, T, v, C3, bpack);
        tiles(Tiles::kLowerFullK, T, T, hs, apack, bpack, ds, T, 1.0f, 0.0f);
        // dV += P^T dO: row u of dV sums over t >= u
        Isa::pack_a(true, T, T, p, T, apack);
        Isa::pack_b(false, T, hs, dO, C, bpack);
        tiles(Tiles::kKFromRowStart, T, hs, T, apack, bpack, dv, C3, 1.0f, 1.0f);
        // dS = P (dP - sum_u P dP) scale, zero above the diagonal
        for (int64_t t = 0; t < T; t++) softmax_backward_row(ds + t * T, p + t * T, t + 1, T, scale);
        // dQ += dS K
        Isa::pack_a(false, T, T, ds, T, apack);
        Isa::pack_b(false, T, hs, k, C3, bpack);
        tiles(Tiles::kKBelowRowEnd, T, hs, T, apack, bpack, dq, C3, 1.0f, 1.0f);
        // dK += dS^T Q
        Isa::pack_a(true, T, T, ds, T, apack);
        Isa::pack_b(false, T, hs, q, C3, bpack);
        tiles(Tiles::kKFromRowStart, T, hs, T, apack, bpack, dk, C3, 1.0f, 1.0f);
      }
    });
  }

  // d[0..n) <- p (d - sum p d) scale; d[n..T) <- 0
  static inline void softmax_backward_row(float* d, const float* p, int64_t n, int64_t T, float scale) {
    R acc = V::zero();
    vec_loop(0, n, [&](int64_t i, int c) { acc = V::fmadd(ld(p + i, c), ld(d + i, c), acc); });
    const R vpd = V::set1(V::reduce_add(acc)), vs = V::set1(scale);
    vec_loop(0, n, [&](int64_t i, int c) {
      st(d + i, V::mul(V::mul(ld(p + i, c), V::sub(ld(d + i, c), vpd)), vs), c);
    });
    vec_loop(n, T, [&](int64_t i, int c) { st(d + i, V::zero(), c); });
  }
};

// The cache blocks of one ISA's GEMM (see GemmKit).
struct Blocking {
  int KC, MC, NC;
};

// The table of one ISA: its GEMM kit with the given blocking plus every fused kernel
// instantiated for its traits; the peak probe runs kFmaChains chains.
template <class Isa, int kFmaChains>
KernelTable make_table(const char* isa, Blocking blocks) {
  using F = Fused<Isa>;
  KernelTable t{};
  t.isa = isa;
  t.kit = GemmKit{Isa::MR, Isa::NR, Isa::KP, blocks.KC, blocks.MC, blocks.NC, Isa::pack_a, Isa::pack_b, Isa::micro, F::gemm_small_m};
  t.add_bias = F::add_bias;
  t.bias_backward = F::bias_backward;
  t.embedding_forward = F::embedding_forward;
  t.embedding_backward = F::embedding_backward;
  t.layernorm_forward = F::layernorm_forward;
  t.layernorm_backward = F::layernorm_backward;
  t.attention_forward = F::attention_forward_any_t;
  t.attention_backward = F::attention_backward_any_t;
  t.tree_attention_forward = F::tree_attention_forward;
  t.gelu_forward = F::gelu_forward;
  t.gelu_backward = F::gelu_backward;
  t.relu_forward = F::relu_forward;
  t.relu_backward = F::relu_backward;
  t.cross_entropy_forward = F::cross_entropy_forward;
  t.cross_entropy_backward = F::cross_entropy_backward;
  t.add = F::add;
  t.axpy = F::axpy;
  t.scale = F::scale;
  t.sum_squares = F::sum_squares;
  t.adamw = F::adamw;
  t.fma_loop = fma_loop<typename Isa::V, kFmaChains>;
  return t;
}

}  // namespace slurry
