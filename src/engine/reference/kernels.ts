/**
 * The reference backend: every kernel of `Kernels` as a plain loop in TypeScript. It is the
 * oracle the native kernels are tested against, works in float64 for finite-difference
 * checks, and is the fallback where the native addon cannot build. Clarity over speed.
 */
import type { BackendInfo, Buf, Kernels } from '../kernels.js';

const GELU_C = Math.sqrt(2 / Math.PI);

export const referenceKernels: Kernels = {
  info(): BackendInfo {
    return { name: 'reference', isa: 'typescript', threads: 1 };
  },

  gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) {
    for (let i = 0; i < M; i++) {
      const crow = i * ldc;
      if (beta === 0) C.fill(0, crow, crow + N);
      else if (beta !== 1) for (let j = 0; j < N; j++) C[crow + j] *= beta;
      for (let p = 0; p < K; p++) {
        const a = alpha * (transA ? A[p * lda + i] : A[i * lda + p]);
        if (a === 0) continue;
        if (transB) for (let j = 0; j < N; j++) C[crow + j] += a * B[j * ldb + p];
        else {
          const brow = p * ldb;
          for (let j = 0; j < N; j++) C[crow + j] += a * B[brow + j];
        }
      }
    }
  },

  addBias(out, bias, N, O) {
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) out[n * O + o] += bias[o];
  },

  biasBackward(dbias, dout, N, O) {
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) dbias[o] += dout[n * O + o];
  },

  embeddingForward(out, ids, wte, wpe, BT, T, C) {
    for (let i = 0; i < BT; i++) {
      const e = ids[i] * C;
      const p = (i % T) * C;
      for (let c = 0; c < C; c++) out[i * C + c] = wte[e + c] + (wpe ? wpe[p + c] : 0);
    }
  },

  embeddingBackward(dwte, dwpe, dout, ids, BT, T, C) {
    for (let i = 0; i < BT; i++) {
      const e = ids[i] * C;
      const p = (i % T) * C;
      for (let c = 0; c < C; c++) {
        dwte[e + c] += dout[i * C + c];
        if (dwpe) dwpe[p + c] += dout[i * C + c];
      }
    }
  },

  layerNormForward(out, mean, rstd, inp, w, b, N, C, eps) {
    for (let n = 0; n < N; n++) {
      const x = n * C;
      let m = 0;
      for (let c = 0; c < C; c++) m += inp[x + c];
      m /= C;
      let v = 0;
      for (let c = 0; c < C; c++) v += (inp[x + c] - m) ** 2;
      v /= C;
      const s = 1 / Math.sqrt(v + eps);
      for (let c = 0; c < C; c++) out[x + c] = (inp[x + c] - m) * s * w[c] + b[c];
      mean[n] = m;
      rstd[n] = s;
    }
  },

  layerNormBackward(dinp, dw, db, dout, inp, w, mean, rstd, N, C) {
    for (let n = 0; n < N; n++) {
      const x = n * C;
      const m = mean[n];
      const s = rstd[n];
      // dxhat = dout * w; dx = s * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
      let meanD = 0;
      let meanDX = 0;
      for (let c = 0; c < C; c++) {
        const xhat = (inp[x + c] - m) * s;
        const d = dout[x + c] * w[c];
        meanD += d;
        meanDX += d * xhat;
      }
      meanD /= C;
      meanDX /= C;
      for (let c = 0; c < C; c++) {
        const xhat = (inp[x + c] - m) * s;
        db[c] += dout[x + c];
        dw[c] += dout[x + c] * xhat;
        dinp[x + c] += s * (dout[x + c] * w[c] - meanD - xhat * meanDX);
      }
    }
  },

  attentionForward(out, att, qkv, B, T, C, H) {
    const hs = C / H;
    const scale = 1 / Math.sqrt(hs);
    const C3 = 3 * C;
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let t = 0; t < T; t++) {
          const q = (b * T + t) * C3 + h * hs;
          const a = ((b * H + h) * T + t) * T;
          let max = -Infinity;
          for (let u = 0; u <= t; u++) {
            const k = (b * T + u) * C3 + C + h * hs;
            let dot = 0;
            for (let i = 0; i < hs; i++) dot += qkv[q + i] * qkv[k + i];
            att[a + u] = dot * scale;
            if (att[a + u] > max) max = att[a + u];
          }
          let sum = 0;
          for (let u = 0; u <= t; u++) {
            att[a + u] = Math.exp(att[a + u] - max);
            sum += att[a + u];
          }
          for (let u = 0; u <= t; u++) att[a + u] /= sum;
          for (let u = t + 1; u < T; u++) att[a + u] = 0;
          const o = (b * T + t) * C + h * hs;
          for (let i = 0; i < hs; i++) out[o + i] = 0;
          for (let u = 0; u <= t; u++) {
            const v = (b * T + u) * C3 + 2 * C + h * hs;
            const p = att[a + u];
            for (let i = 0; i < hs; i++) out[o + i] += p * qkv[v + i];
          }
        }
      }
    }
  },

  treeAttentionForward(out, qkv, rows, spanStart, spanLen, extraStart, extra, n, C, H) {
    const hs = C / H;
    const scale = 1 / Math.sqrt(hs);
    const C3 = 3 * C;
    for (let j = 0; j < n; j++) {
      const L = spanLen[j];
      const keys = [
        ...Array.from({ length: L }, (_, u) => spanStart[j] + u),
        ...extra.subarray(extraStart[j], extraStart[j + 1]),
      ];
      const p = new Float64Array(keys.length);
      for (let h = 0; h < H; h++) {
        const q = rows[j] * C3 + h * hs;
        let max = -Infinity;
        keys.forEach((row, u) => {
          const k = row * C3 + C + h * hs;
          let dot = 0;
          for (let i = 0; i < hs; i++) dot += qkv[q + i] * qkv[k + i];
          p[u] = dot * scale;
          if (p[u] > max) max = p[u];
        });
        let sum = 0;
        for (let u = 0; u < keys.length; u++) sum += p[u] = Math.exp(p[u] - max);
        const o = rows[j] * C + h * hs;
        for (let i = 0; i < hs; i++) out[o + i] = 0;
        keys.forEach((row, u) => {
          const v = row * C3 + 2 * C + h * hs;
          for (let i = 0; i < hs; i++) out[o + i] += (p[u] / sum) * qkv[v + i];
        });
      }
    }
  },

  attentionBackward(dqkv, dout, qkv, att, B, T, C, H) {
    const hs = C / H;
    const scale = 1 / Math.sqrt(hs);
    const C3 = 3 * C;
    const dp = new Float64Array(T);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let t = 0; t < T; t++) {
          const a = ((b * H + h) * T + t) * T;
          const o = (b * T + t) * C + h * hs;
          // dP[u] = dout . v_u ; dV_u += P[u] dout
          for (let u = 0; u <= t; u++) {
            const v = (b * T + u) * C3 + 2 * C + h * hs;
            let dot = 0;
            for (let i = 0; i < hs; i++) {
              dot += dout[o + i] * qkv[v + i];
              dqkv[v + i] += att[a + u] * dout[o + i];
            }
            dp[u] = dot;
          }
          // softmax backward: dS[u] = P[u] (dP[u] - sum_w P[w] dP[w])
          let pdp = 0;
          for (let u = 0; u <= t; u++) pdp += att[a + u] * dp[u];
          const q = (b * T + t) * C3 + h * hs;
          for (let u = 0; u <= t; u++) {
            const ds = att[a + u] * (dp[u] - pdp) * scale;
            const k = (b * T + u) * C3 + C + h * hs;
            for (let i = 0; i < hs; i++) {
              dqkv[q + i] += ds * qkv[k + i];
              dqkv[k + i] += ds * qkv[q + i];
            }
          }
        }
      }
    }
  },

  geluForward(out, inp, n) {
    for (let i = 0; i < n; i++) {
      const x = inp[i];
      out[i] = 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
    }
  },

  geluBackward(dinp, inp, dout, n) {
    for (let i = 0; i < n; i++) {
      const x = inp[i];
      const u = GELU_C * (x + 0.044715 * x * x * x);
      const th = Math.tanh(u);
      const du = GELU_C * (1 + 3 * 0.044715 * x * x);
      dinp[i] += dout[i] * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * du);
    }
  },

  reluForward(out, inp, n) {
    for (let i = 0; i < n; i++) out[i] = inp[i] > 0 ? inp[i] : 0;
  },

  reluBackward(dinp, inp, dout, n) {
    for (let i = 0; i < n; i++) if (inp[i] > 0) dinp[i] += dout[i];
  },

  crossEntropyForward(losses, lse, logits, targets, N, V, ignoreIndex) {
    for (let n = 0; n < N; n++) {
      const row = n * V;
      let max = -Infinity;
      for (let v = 0; v < V; v++) if (logits[row + v] > max) max = logits[row + v];
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp(logits[row + v] - max);
      const l = max + Math.log(sum);
      lse[n] = l;
      const target = targets[n];
      losses[n] = target === ignoreIndex ? 0 : l - logits[row + target];
    }
  },

  crossEntropyBackward(dlogits, logits, lse, targets, dlosses, N, V, ignoreIndex) {
    for (let n = 0; n < N; n++) {
      const target = targets[n];
      if (target === ignoreIndex) continue;
      const row = n * V;
      const g = dlosses[n];
      for (let v = 0; v < V; v++) {
        const p = Math.exp(logits[row + v] - lse[n]);
        dlogits[row + v] += g * (p - (v === target ? 1 : 0));
      }
    }
  },

  add(out, a, b, n) {
    for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
  },

  axpy(dst, src, alpha, n) {
    for (let i = 0; i < n; i++) dst[i] += alpha * src[i];
  },

  scale(buf, s, n) {
    for (let i = 0; i < n; i++) buf[i] *= s;
  },

  sumSquares(buf: Buf, n: number) {
    let s = 0;
    for (let i = 0; i < n; i++) s += buf[i] * buf[i];
    return s;
  },

  adamw(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, bc1, bc2, gradScale) {
    for (let i = 0; i < n; i++) {
      const g = grad[i] * gradScale;
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const mhat = m[i] / bc1;
      const vhat = v[i] / bc2;
      param[i] -= lr * (mhat / (Math.sqrt(vhat) + eps) + weightDecay * param[i]);
    }
  },
};
