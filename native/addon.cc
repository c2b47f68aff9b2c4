// The Node binding: validates every argument (Float32Array only, shapes that fit the
// buffers, ids and targets in range) and calls the kernel table of the instruction set
// picked at load time. Argument order and semantics are those of src/engine/kernels.ts.
#include <napi.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "pool.h"
#include "table.h"

namespace slurry {
namespace {

std::atomic<const KernelTable*> active{nullptr};

const KernelTable& kt() { return *active.load(std::memory_order_acquire); }

struct IsaChoice {
  const char* name;
  const KernelTable* (*table)();
  bool (*supported)();
};

bool always() { return true; }
#if defined(__x86_64__)
bool has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("fma");
}
bool has_avx512_bf16() {
  __builtin_cpu_init();
  return has_avx512() && __builtin_cpu_supports("avx512bf16");
}
bool has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

// Best first.
const IsaChoice kIsas[] = {
#if defined(__x86_64__)
    {"avx512", table_avx512, has_avx512},
    {"avx2", table_avx2, has_avx2},
#endif
    {"portable", table_portable, always},
};

std::string isa_names() {
  std::string s;
  for (const auto& c : kIsas) s += (s.empty() ? "" : ", ") + std::string(c.name);
  return s;
}

// Selects `name` ("" = the best the CPU supports). Returns an error message or "".
std::string select_isa(const std::string& name, const char* source) {
  for (const auto& c : kIsas) {
    if (name.empty() ? !c.supported() : name != c.name) continue;
    if (!c.supported()) return std::string(source) + "=" + name + ": this CPU does not support " + name;
    active.store(c.table(), std::memory_order_release);
    return "";
  }
  return std::string(source) + "=" + name + ": expected one of " + isa_names();
}

// The bf16 kernels, or null with the reason in `why`: they need AVX512_BF16 and run only
// beside the avx512 path (SLURRY_ISA=avx2 or portable stands for an older CPU).
const Bf16Table* bf16_table(std::string* why) {
#if defined(__x86_64__)
  if (!has_avx512_bf16()) {
    if (why) *why = "bf16 needs a CPU with AVX512_BF16 (VDPBF16PS), which this one lacks";
    return nullptr;
  }
  if (kt().isa != std::string("avx512")) {
    if (why) *why = std::string("bf16 runs beside the avx512 path, and the ") + kt().isa + " path is active (SLURRY_ISA)";
    return nullptr;
  }
  return table_avx512_bf16();
#else
  if (why) *why = "bf16 needs an x86-64 CPU with AVX512_BF16 (VDPBF16PS)";
  return nullptr;
#endif
}

// ---- argument checking --------------------------------------------------------------

std::string describe(const Napi::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsUndefined()) return "undefined";
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_int8_array: return "Int8Array";
      case napi_uint8_array: return "Uint8Array";
      case napi_uint8_clamped_array: return "Uint8ClampedArray";
      case napi_int16_array: return "Int16Array";
      case napi_uint16_array: return "Uint16Array";
      case napi_int32_array: return "Int32Array";
      case napi_uint32_array: return "Uint32Array";
      case napi_float32_array: return "Float32Array";
      case napi_float64_array: return "Float64Array";
      default: return "a typed array";
    }
  }
  if (v.IsArray()) return "Array";
  if (v.IsNumber()) return "number";
  if (v.IsBoolean()) return "boolean";
  if (v.IsString()) return "string";
  return "object";
}

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn) : info_(info), env_(info.Env()), fn_(fn) {}

  // A Float32Array of at least `need` elements.
  float* f32(size_t i, const char* name, int64_t need) {
    const Napi::Value v = info_[i];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      type_error(std::string(name) + " must be a Float32Array (got " + describe(v) + ")");
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    check_length(name, (int64_t)a.ElementLength(), need);
    return a.Data();
  }
  float* f32_or_null(size_t i, const char* name, int64_t need) {
    const Napi::Value v = info_[i];
    if (v.IsNull() || v.IsUndefined()) return nullptr;
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      type_error(std::string(name) + " must be a Float32Array or null (got " + describe(v) + ")");
    return f32(i, name, need);
  }
  // An Int32Array of at least `need` elements.
  const int32_t* i32(size_t i, const char* name, int64_t need) {
    const Napi::Value v = info_[i];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      type_error(std::string(name) + " must be an Int32Array (got " + describe(v) + ")");
    Napi::Int32Array a = v.As<Napi::Int32Array>();
    check_length(name, (int64_t)a.ElementLength(), need);
    return a.Data();
  }
  // A non-negative integer (a size, count or leading dimension).
  int64_t dim(size_t i, const char* name) {
    const double d = number(i, name);
    if (!(d >= 0 && d <= 2147483647.0 && std::floor(d) == d))
      range_error(std::string(name) + " must be a non-negative integer below 2^31 (got " + fmt(d) + ")");
    return (int64_t)d;
  }
  int32_t int32(size_t i, const char* name) {
    const double d = number(i, name);
    if (!(d >= -2147483648.0 && d <= 2147483647.0 && std::floor(d) == d))
      range_error(std::string(name) + " must be a 32-bit integer (got " + fmt(d) + ")");
    return (int32_t)d;
  }
  double number(size_t i, const char* name) {
    const Napi::Value v = info_[i];
    if (!v.IsNumber()) type_error(std::string(name) + " must be a number (got " + describe(v) + ")");
    return v.As<Napi::Number>().DoubleValue();
  }
  bool flag(size_t i, const char* name) {
    const Napi::Value v = info_[i];
    if (!v.IsBoolean()) type_error(std::string(name) + " must be a boolean (got " + describe(v) + ")");
    return v.As<Napi::Boolean>().Value();
  }
  [[noreturn]] void range_error(const std::string& msg) { throw Napi::RangeError::New(env_, fn_ + (": " + msg)); }
  [[noreturn]] void type_error(const std::string& msg) { throw Napi::TypeError::New(env_, fn_ + (": " + msg)); }
  void require(bool ok, const std::string& msg) {
    if (!ok) range_error(msg);
  }
  // Every ids[i] (i < n) in [0, limit), or equal to `except` when allow_except.
  void check_ids(const int32_t* ids, int64_t n, const char* name, int64_t limit, bool allow_except = false,
                 int32_t except = 0) {
    for (int64_t i = 0; i < n; i++) {
      const int32_t id = ids[i];
      if ((id < 0 || id >= limit) && !(allow_except && id == except))
        range_error(std::string(name) + "[" + std::to_string(i) + "] = " + std::to_string(id) + " is outside [0, " +
                    std::to_string(limit) + ")");
    }
  }

 private:
  void check_length(const char* name, int64_t have, int64_t need) {
    if (have < need)
      range_error(std::string(name) + " has " + std::to_string(have) + " elements, the shape needs " +
                  std::to_string(need));
  }
  static std::string fmt(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
  }
  const Napi::CallbackInfo& info_;
  Napi::Env env_;
  std::string fn_;
};

// Elements a row-major matrix of `rows` x `cols` with row stride ld needs.
int64_t span(int64_t rows, int64_t cols, int64_t ld) { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; }

// ---- kernels ------------------------------------------------------------------------

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("name", "native");
  o.Set("isa", kt().isa);
  o.Set("threads", pool_threads());
  return o;
}

const Bf16Table& require_bf16(const Napi::CallbackInfo& info, const char* fn) {
  std::string why;
  const Bf16Table* t = bf16_table(&why);
  if (!t) throw Napi::Error::New(info.Env(), std::string(fn) + ": " + why);
  return *t;
}

void gemm_with(const Napi::CallbackInfo& info, const char* fn, const GemmKit& kit) {
  Args a(info, fn);
  const bool ta = a.flag(0, "transA"), tb = a.flag(1, "transB");
  const int64_t M = a.dim(2, "M"), N = a.dim(3, "N"), K = a.dim(4, "K");
  const double alpha = a.number(5, "alpha");
  const int64_t lda = a.dim(7, "lda"), ldb = a.dim(9, "ldb"), ldc = a.dim(12, "ldc");
  const double beta = a.number(10, "beta");
  const int64_t arows = ta ? K : M, acols = ta ? M : K, brows = tb ? N : K, bcols = tb ? K : N;
  if (arows > 0 && acols > 0) a.require(lda >= acols, "lda = " + std::to_string(lda) + " is less than the " + std::to_string(acols) + " columns of the stored A");
  if (brows > 0 && bcols > 0) a.require(ldb >= bcols, "ldb = " + std::to_string(ldb) + " is less than the " + std::to_string(bcols) + " columns of the stored B");
  if (M > 0 && N > 0) a.require(ldc >= N, "ldc = " + std::to_string(ldc) + " is less than N = " + std::to_string(N));
  const float* A = a.f32(6, "A", span(arows, acols, lda));
  const float* B = a.f32(8, "B", span(brows, bcols, ldb));
  float* C = a.f32(11, "C", span(M, N, ldc));
  sgemm(kit, ta, tb, M, N, K, (float)alpha, A, lda, B, ldb, (float)beta, C, ldc);
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  gemm_with(info, "gemm", kt().kit);
  return info.Env().Undefined();
}

Napi::Value GemmBf16(const Napi::CallbackInfo& info) {
  gemm_with(info, "gemmBf16", require_bf16(info, "gemmBf16").kit);
  return info.Env().Undefined();
}

Napi::Value AddBias(const Napi::CallbackInfo& info) {
  Args a(info, "addBias");
  const int64_t N = a.dim(2, "N"), O = a.dim(3, "O");
  float* out = a.f32(0, "out", N * O);
  const float* bias = a.f32(1, "bias", O);
  kt().add_bias(out, bias, N, O);
  return info.Env().Undefined();
}

Napi::Value BiasBackward(const Napi::CallbackInfo& info) {
  Args a(info, "biasBackward");
  const int64_t N = a.dim(2, "N"), O = a.dim(3, "O");
  float* dbias = a.f32(0, "dbias", O);
  const float* dout = a.f32(1, "dout", N * O);
  kt().bias_backward(dbias, dout, N, O);
  return info.Env().Undefined();
}

// Rows of an embedding table of `len` floats and width C (for the id range check).
int64_t table_rows(const Napi::Value& v, int64_t C) {
  return C == 0 ? 0 : (int64_t)v.As<Napi::Float32Array>().ElementLength() / C;
}

Napi::Value EmbeddingForward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingForward");
  const int64_t BT = a.dim(4, "BT"), T = a.dim(5, "T"), C = a.dim(6, "C");
  a.require(BT == 0 || T > 0, "T must be positive");
  float* out = a.f32(0, "out", BT * C);
  const int32_t* ids = a.i32(1, "ids", BT);
  const float* wte = a.f32(2, "wte", 0);
  const float* wpe = a.f32_or_null(3, "wpe", T * C);
  if (C > 0) a.check_ids(ids, BT, "ids", table_rows(info[2], C));
  kt().embedding_forward(out, ids, wte, wpe, BT, T, C);
  return info.Env().Undefined();
}

Napi::Value EmbeddingBackward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingBackward");
  const int64_t BT = a.dim(4, "BT"), T = a.dim(5, "T"), C = a.dim(6, "C");
  a.require(BT == 0 || T > 0, "T must be positive");
  float* dwte = a.f32(0, "dwte", 0);
  float* dwpe = a.f32_or_null(1, "dwpe", T * C);
  const float* dout = a.f32(2, "dout", BT * C);
  const int32_t* ids = a.i32(3, "ids", BT);
  if (C > 0) a.check_ids(ids, BT, "ids", table_rows(info[0], C));
  kt().embedding_backward(dwte, dwpe, dout, ids, BT, T, C);
  return info.Env().Undefined();
}

Napi::Value LayerNormForward(const Napi::CallbackInfo& info) {
  Args a(info, "layerNormForward");
  const int64_t N = a.dim(6, "N"), C = a.dim(7, "C");
  const double eps = a.number(8, "eps");
  a.require(C > 0 || N == 0, "C must be positive");
  float* out = a.f32(0, "out", N * C);
  float* mean = a.f32(1, "mean", N);
  float* rstd = a.f32(2, "rstd", N);
  const float* inp = a.f32(3, "inp", N * C);
  const float* w = a.f32(4, "w", C);
  const float* b = a.f32(5, "b", C);
  kt().layernorm_forward(out, mean, rstd, inp, w, b, N, C, (float)eps);
  return info.Env().Undefined();
}

Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  Args a(info, "layerNormBackward");
  const int64_t N = a.dim(8, "N"), C = a.dim(9, "C");
  a.require(C > 0 || N == 0, "C must be positive");
  float* dinp = a.f32(0, "dinp", N * C);
  float* dw = a.f32(1, "dw", C);
  float* db = a.f32(2, "db", C);
  const float* dout = a.f32(3, "dout", N * C);
  const float* inp = a.f32(4, "inp", N * C);
  const float* w = a.f32(5, "w", C);
  const float* mean = a.f32(6, "mean", N);
  const float* rstd = a.f32(7, "rstd", N);
  kt().layernorm_backward(dinp, dw, db, dout, inp, w, mean, rstd, N, C);
  return info.Env().Undefined();
}

void check_heads(Args& a, int64_t C, int64_t H) {
  a.require(H > 0, "H must be positive");
  a.require(C % H == 0, "C = " + std::to_string(C) + " is not a multiple of H = " + std::to_string(H));
}

using AttentionForwardFn = decltype(KernelTable::attention_forward);
using AttentionBackwardFn = decltype(KernelTable::attention_backward);

void attention_forward_with(const Napi::CallbackInfo& info, const char* fn, AttentionForwardFn kernel) {
  Args a(info, fn);
  const int64_t B = a.dim(3, "B"), T = a.dim(4, "T"), C = a.dim(5, "C"), H = a.dim(6, "H");
  check_heads(a, C, H);
  float* out = a.f32(0, "out", B * T * C);
  float* att = a.f32(1, "att", B * H * T * T);
  const float* qkv = a.f32(2, "qkv", B * T * 3 * C);
  if (B * T * C > 0) kernel(out, att, qkv, B, T, C, H);
}

Napi::Value AttentionForward(const Napi::CallbackInfo& info) {
  attention_forward_with(info, "attentionForward", kt().attention_forward);
  return info.Env().Undefined();
}

Napi::Value AttentionForwardBf16(const Napi::CallbackInfo& info) {
  attention_forward_with(info, "attentionForwardBf16", require_bf16(info, "attentionForwardBf16").attention_forward);
  return info.Env().Undefined();
}

Napi::Value TreeAttentionForward(const Napi::CallbackInfo& info) {
  Args a(info, "treeAttentionForward");
  const int64_t n = a.dim(7, "n"), C = a.dim(8, "C"), H = a.dim(9, "H");
  check_heads(a, C, H);
  a.require(C > 0, "C must be positive");
  float* out = a.f32(0, "out", 0);
  const float* qkv = a.f32(1, "qkv", 0);
  const int64_t out_rows = (int64_t)info[0].As<Napi::Float32Array>().ElementLength() / C;
  const int64_t qkv_rows = (int64_t)info[1].As<Napi::Float32Array>().ElementLength() / (3 * C);
  const int32_t* rows = a.i32(2, "rows", n);
  const int32_t* span_start = a.i32(3, "spanStart", n);
  const int32_t* span_len = a.i32(4, "spanLen", n);
  const int32_t* extra_start = a.i32(5, "extraStart", n + 1);
  const int32_t* extra = a.i32(6, "extra", 0);
  const int64_t extra_len = (int64_t)info[6].As<Napi::TypedArray>().ElementLength();
  a.check_ids(rows, n, "rows", out_rows < qkv_rows ? out_rows : qkv_rows);
  a.check_ids(extra, extra_len, "extra", qkv_rows);
  std::vector<bool> taken(out_rows, false);
  for (int64_t j = 0; j < n; j++) {
    const std::string at = "[" + std::to_string(j) + "]";
    a.require(!taken[rows[j]], "rows" + at + " = " + std::to_string(rows[j]) + " is the row of an earlier query");
    taken[rows[j]] = true;
    a.require(span_start[j] >= 0 && span_len[j] >= 0 && (int64_t)span_start[j] + span_len[j] <= qkv_rows,
              "spanStart" + at + " + spanLen" + at + " is outside the " + std::to_string(qkv_rows) + " rows of qkv");
    a.require(extra_start[j] >= 0 && extra_start[j] <= extra_start[j + 1] && extra_start[j + 1] <= extra_len,
              "extraStart" + at + ".." + std::to_string(j + 1) + " is not a range of extra's " + std::to_string(extra_len) + " elements");
    a.require(span_len[j] + extra_start[j + 1] - extra_start[j] > 0, "query " + std::to_string(j) + " has no keys");
  }
  if (n > 0) kt().tree_attention_forward(out, qkv, rows, span_start, span_len, extra_start, extra, n, C, H);
  return info.Env().Undefined();
}

void attention_backward_with(const Napi::CallbackInfo& info, const char* fn, AttentionBackwardFn kernel) {
  Args a(info, fn);
  const int64_t B = a.dim(4, "B"), T = a.dim(5, "T"), C = a.dim(6, "C"), H = a.dim(7, "H");
  check_heads(a, C, H);
  float* dqkv = a.f32(0, "dqkv", B * T * 3 * C);
  const float* dout = a.f32(1, "dout", B * T * C);
  const float* qkv = a.f32(2, "qkv", B * T * 3 * C);
  const float* att = a.f32(3, "att", B * H * T * T);
  if (B * T * C > 0) kernel(dqkv, dout, qkv, att, B, T, C, H);
}

Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  attention_backward_with(info, "attentionBackward", kt().attention_backward);
  return info.Env().Undefined();
}

Napi::Value AttentionBackwardBf16(const Napi::CallbackInfo& info) {
  attention_backward_with(info, "attentionBackwardBf16", require_bf16(info, "attentionBackwardBf16").attention_backward);
  return info.Env().Undefined();
}

// (out, inp, n) and (dinp, inp, dout, n) shapes.
template <void (*KernelTable::*Fn)(float*, const float*, int64_t)>
Napi::Value Unary(const Napi::CallbackInfo& info, const char* name) {
  Args a(info, name);
  const int64_t n = a.dim(2, "n");
  float* out = a.f32(0, "out", n);
  const float* inp = a.f32(1, "inp", n);
  (kt().*Fn)(out, inp, n);
  return info.Env().Undefined();
}
template <void (*KernelTable::*Fn)(float*, const float*, const float*, int64_t)>
Napi::Value UnaryBackward(const Napi::CallbackInfo& info, const char* name) {
  Args a(info, name);
  const int64_t n = a.dim(3, "n");
  float* dinp = a.f32(0, "dinp", n);
  const float* inp = a.f32(1, "inp", n);
  const float* dout = a.f32(2, "dout", n);
  (kt().*Fn)(dinp, inp, dout, n);
  return info.Env().Undefined();
}

Napi::Value GeluForward(const Napi::CallbackInfo& info) { return Unary<&KernelTable::gelu_forward>(info, "geluForward"); }
Napi::Value ReluForward(const Napi::CallbackInfo& info) { return Unary<&KernelTable::relu_forward>(info, "reluForward"); }
Napi::Value GeluBackward(const Napi::CallbackInfo& info) {
  return UnaryBackward<&KernelTable::gelu_backward>(info, "geluBackward");
}
Napi::Value ReluBackward(const Napi::CallbackInfo& info) {
  return UnaryBackward<&KernelTable::relu_backward>(info, "reluBackward");
}

Napi::Value CrossEntropyForward(const Napi::CallbackInfo& info) {
  Args a(info, "crossEntropyForward");
  const int64_t N = a.dim(4, "N"), V = a.dim(5, "V");
  const int32_t ignore = a.int32(6, "ignoreIndex");
  a.require(V > 0 || N == 0, "V must be positive");
  float* losses = a.f32(0, "losses", N);
  float* lse = a.f32(1, "lse", N);
  const float* logits = a.f32(2, "logits", N * V);
  const int32_t* targets = a.i32(3, "targets", N);
  a.check_ids(targets, N, "targets", V, true, ignore);
  kt().cross_entropy_forward(losses, lse, logits, targets, N, V, ignore);
  return info.Env().Undefined();
}

Napi::Value CrossEntropyBackward(const Napi::CallbackInfo& info) {
  Args a(info, "crossEntropyBackward");
  const int64_t N = a.dim(5, "N"), V = a.dim(6, "V");
  const int32_t ignore = a.int32(7, "ignoreIndex");
  a.require(V > 0 || N == 0, "V must be positive");
  float* dlogits = a.f32(0, "dlogits", N * V);
  const float* logits = a.f32(1, "logits", N * V);
  const float* lse = a.f32(2, "lse", N);
  const int32_t* targets = a.i32(3, "targets", N);
  const float* dlosses = a.f32(4, "dlosses", N);
  a.check_ids(targets, N, "targets", V, true, ignore);
  kt().cross_entropy_backward(dlogits, logits, lse, targets, dlosses, N, V, ignore);
  return info.Env().Undefined();
}

Napi::Value Add(const Napi::CallbackInfo& info) {
  Args a(info, "add");
  const int64_t n = a.dim(3, "n");
  float* out = a.f32(0, "out", n);
  const float* x = a.f32(1, "a", n);
  const float* y = a.f32(2, "b", n);
  kt().add(out, x, y, n);
  return info.Env().Undefined();
}

Napi::Value Axpy(const Napi::CallbackInfo& info) {
  Args a(info, "axpy");
  const double alpha = a.number(2, "alpha");
  const int64_t n = a.dim(3, "n");
  float* dst = a.f32(0, "dst", n);
  const float* src = a.f32(1, "src", n);
  kt().axpy(dst, src, (float)alpha, n);
  return info.Env().Undefined();
}

Napi::Value Scale(const Napi::CallbackInfo& info) {
  Args a(info, "scale");
  const double s = a.number(1, "s");
  const int64_t n = a.dim(2, "n");
  float* buf = a.f32(0, "buf", n);
  kt().scale(buf, (float)s, n);
  return info.Env().Undefined();
}

Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  Args a(info, "sumSquares");
  const int64_t n = a.dim(1, "n");
  const float* buf = a.f32(0, "buf", n);
  return Napi::Number::New(info.Env(), kt().sum_squares(buf, n));
}

Napi::Value Adamw(const Napi::CallbackInfo& info) {
  Args a(info, "adamw");
  const int64_t n = a.dim(4, "n");
  const double lr = a.number(5, "lr"), b1 = a.number(6, "beta1"), b2 = a.number(7, "beta2");
  const double eps = a.number(8, "eps"), wd = a.number(9, "weightDecay");
  const double bc1 = a.number(10, "bc1"), bc2 = a.number(11, "bc2"), gs = a.number(12, "gradScale");
  float* param = a.f32(0, "param", n);
  const float* grad = a.f32(1, "grad", n);
  float* m = a.f32(2, "m", n);
  float* v = a.f32(3, "v", n);
  // 1 - beta and 1 / bc in double, as the reference does, then rounded once.
  kt().adamw(param, grad, m, v, n, (float)lr, (float)b1, (float)(1.0 - b1), (float)b2, (float)(1.0 - b2), (float)eps,
             (float)wd, (float)(1.0 / bc1), (float)(1.0 / bc2), (float)gs);
  return info.Env().Undefined();
}

// ---- control ------------------------------------------------------------------------

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Args a(info, "setThreads");
  const int64_t n = a.dim(0, "n");
  a.require(n >= 1 && n <= 1024, "n must be between 1 and 1024");
  pool_set_threads((int)n);
  return info.Env().Undefined();
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "setIsa: isa must be a string");
  const std::string err = select_isa(info[0].As<Napi::String>().Utf8Value(), "setIsa");
  if (!err.empty()) throw Napi::Error::New(info.Env(), err);
  return info.Env().Undefined();
}

Napi::Value SupportedIsas(const Napi::CallbackInfo& info) {
  Napi::Array out = Napi::Array::New(info.Env());
  uint32_t i = 0;
  for (const auto& c : kIsas)
    if (c.supported()) out.Set(i++, c.name);
  return out;
}

// Throughput of `loop` on every pool thread at once, in GFLOP/s: each thread runs `iters`
// rounds of independent chains.
double peak_of(double (*loop)(int64_t), int64_t iters) {
  const int threads = pool_threads();
  std::vector<double> flops(threads, 0.0);
  const auto t0 = std::chrono::steady_clock::now();
  parallel_for(threads, 1, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) flops[t] = loop(iters);
  });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double total = 0;
  for (double f : flops) total += f;
  return total / s / 1e9;
}

// Measured FMA throughput of the active ISA (GFLOP/s).
Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  Args a(info, "fmaPeak");
  return Napi::Number::New(info.Env(), peak_of(kt().fma_loop, a.dim(0, "iters")));
}

// Measured VDPBF16PS throughput (GFLOP/s); throws where bf16 is unavailable.
Napi::Value Bf16Peak(const Napi::CallbackInfo& info) {
  Args a(info, "bf16Peak");
  const int64_t iters = a.dim(0, "iters");
  return Napi::Number::New(info.Env(), peak_of(require_bf16(info, "bf16Peak").dot_loop, iters));
}

// Why the bf16 kernels cannot run here, or null when they can.
Napi::Value Bf16Unavailable(const Napi::CallbackInfo& info) {
  std::string why;
  if (bf16_table(&why)) return info.Env().Null();
  return Napi::String::New(info.Env(), why);
}

std::once_flag init_once;
std::string init_error;

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  std::call_once(init_once, [] {
    char err[256] = {};
    const int threads = pool_default_threads(err, sizeof err);
    if (threads < 0) {
      init_error = err;
      return;
    }
    const char* isa = std::getenv("SLURRY_ISA");
    init_error = select_isa(isa && *isa ? isa : "", "SLURRY_ISA");
    if (init_error.empty()) pool_set_threads(threads);
  });
  if (!init_error.empty()) throw Napi::Error::New(env, init_error);
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"info", Info},
      {"gemm", Gemm},
      {"gemmBf16", GemmBf16},
      {"addBias", AddBias},
      {"biasBackward", BiasBackward},
      {"embeddingForward", EmbeddingForward},
      {"embeddingBackward", EmbeddingBackward},
      {"layerNormForward", LayerNormForward},
      {"layerNormBackward", LayerNormBackward},
      {"attentionForward", AttentionForward},
      {"attentionBackward", AttentionBackward},
      {"attentionForwardBf16", AttentionForwardBf16},
      {"attentionBackwardBf16", AttentionBackwardBf16},
      {"treeAttentionForward", TreeAttentionForward},
      {"geluForward", GeluForward},
      {"geluBackward", GeluBackward},
      {"reluForward", ReluForward},
      {"reluBackward", ReluBackward},
      {"crossEntropyForward", CrossEntropyForward},
      {"crossEntropyBackward", CrossEntropyBackward},
      {"add", Add},
      {"axpy", Axpy},
      {"scale", Scale},
      {"sumSquares", SumSquares},
      {"adamw", Adamw},
      {"setThreads", SetThreads},
      {"setIsa", SetIsa},
      {"supportedIsas", SupportedIsas},
      {"fmaPeak", FmaPeak},
      {"bf16Peak", Bf16Peak},
      {"bf16Unavailable", Bf16Unavailable},
  };
  for (const auto& f : fns) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
  return exports;
}

}  // namespace
}  // namespace slurry

static Napi::Object InitSlurry(Napi::Env env, Napi::Object exports) { return slurry::Init(env, exports); }
NODE_API_MODULE(slurry_native, InitSlurry)
