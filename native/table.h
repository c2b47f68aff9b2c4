// The function table one instruction-set unit exports. addon.cc validates arguments and
// calls the table the CPU supports (or SLURRY_ISA forces); the semantics of every entry
// are those of the same-named kernel in src/engine/kernels.ts.
#pragma once

#include <cstdint>

#include "gemm.h"

namespace slurry {

struct KernelTable {
  const char* isa;
  GemmKit kit;
  void (*add_bias)(float* out, const float* bias, int64_t N, int64_t O);
  void (*bias_backward)(float* dbias, const float* dout, int64_t N, int64_t O);
  void (*embedding_forward)(float* out, const int32_t* ids, const float* wte, const float* wpe, int64_t BT, int64_t T,
                            int64_t C);
  void (*embedding_backward)(float* dwte, float* dwpe, const float* dout, const int32_t* ids, int64_t BT, int64_t T,
                             int64_t C);
  void (*layernorm_forward)(float* out, float* mean, float* rstd, const float* inp, const float* w, const float* b,
                            int64_t N, int64_t C, float eps);
  void (*layernorm_backward)(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w,
                             const float* mean, const float* rstd, int64_t N, int64_t C);
  void (*attention_forward)(float* out, float* att, const float* qkv, int64_t B, int64_t T, int64_t C, int64_t H);
  void (*attention_backward)(float* dqkv, const float* dout, const float* qkv, const float* att, int64_t B, int64_t T,
                             int64_t C, int64_t H);
  void (*tree_attention_forward)(float* out, const float* qkv, const int32_t* rows, const int32_t* span_start,
                                 const int32_t* span_len, const int32_t* extra_start, const int32_t* extra, int64_t n,
                                 int64_t C, int64_t H);
  void (*gelu_forward)(float* out, const float* inp, int64_t n);
  void (*gelu_backward)(float* dinp, const float* inp, const float* dout, int64_t n);
  void (*relu_forward)(float* out, const float* inp, int64_t n);
  void (*relu_backward)(float* dinp, const float* inp, const float* dout, int64_t n);
  void (*cross_entropy_forward)(float* losses, float* lse, const float* logits, const int32_t* targets, int64_t N,
                                int64_t V, int32_t ignore_index);
  void (*cross_entropy_backward)(float* dlogits, const float* logits, const float* lse, const int32_t* targets,
                                 const float* dlosses, int64_t N, int64_t V, int32_t ignore_index);
  void (*add)(float* out, const float* a, const float* b, int64_t n);
  void (*axpy)(float* dst, const float* src, float alpha, int64_t n);
  void (*scale)(float* buf, float s, int64_t n);
  double (*sum_squares)(const float* buf, int64_t n);
  // Coefficients precomputed in double by the caller: c1 = 1 - beta1, c2 = 1 - beta2,
  // ibc1 = 1 / bc1, ibc2 = 1 / bc2.
  void (*adamw)(float* param, const float* grad, float* m, float* v, int64_t n, float lr, float beta1, float c1,
                float beta2, float c2, float eps, float weight_decay, float ibc1, float ibc2, float grad_scale);
  // FMA-throughput probe for the benchmark: runs `iters` rounds, returns the flops done.
  double (*fma_loop)(int64_t iters);
};

// The bf16 kernels (AVX512_BF16): products whose operands are rounded to bf16 (round to
// nearest even) and accumulated in fp32 with VDPBF16PS. Same semantics as the entries of
// KernelTable of the same name otherwise.
struct Bf16Table {
  GemmKit kit;
  void (*attention_forward)(float* out, float* att, const float* qkv, int64_t B, int64_t T, int64_t C, int64_t H);
  void (*attention_backward)(float* dqkv, const float* dout, const float* qkv, const float* att, int64_t B, int64_t T,
                             int64_t C, int64_t H);
  // VDPBF16PS-throughput probe: runs `iters` rounds, returns the flops done.
  double (*dot_loop)(int64_t iters);
};

const KernelTable* table_portable();
#if defined(__x86_64__)
const KernelTable* table_avx2();
const KernelTable* table_avx512();
const Bf16Table* table_avx512_bf16();
#endif

}  // namespace slurry
