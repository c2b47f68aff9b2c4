/**
 * What the trainer and the checkpoint need of an optimizer, and the factory that builds the
 * one the config names: AdamW for every parameter, or Muon for the hidden weight matrices
 * with AdamW for the rest. Both keep their state in named buffers the checkpoint saves
 * (PyTorch's state names: exp_avg, exp_avg_sq, momentum_buffer), so a resume continues exactly.
 */
import type { GPT } from '../model/gpt.js';
import type { NamedTensor } from '../model/safetensors.js';
import { AdamW } from './adamw.js';
import type { OptimizerConfig } from './config.js';
import { isMuonMatrix, Muon } from './muon.js';

export type OptimizerKind = OptimizerConfig['kind'];

export interface Optimizer {
  readonly kind: OptimizerKind;
  /** Optimizer steps taken (AdamW's bias-correction t). */
  t: number;
  /** Global L2 norm of all gradients (missing gradients count as zero). */
  gradNorm(): number;
  /**
   * One update. `lr` is the scheduled rate of `optimizer.lr`; groups with a peak of their own
   * (Muon's muon_lr) follow the same schedule. With maxGradNorm > 0 the gradients are scaled
   * so their global norm is at most maxGradNorm. Returns the norm before clipping.
   */
  step(lr: number, maxGradNorm?: number, norm?: number): number;
  /** Every state buffer under its checkpoint name; a restore writes into these same buffers. */
  stateTensors(): NamedTensor[];
}

export function makeOptimizer(model: GPT, o: OptimizerConfig): Optimizer {
  const params = model.parameters().map(({ spec, tensor }) => ({ name: spec.name, tensor, decay: spec.decay }));
  const adamw = { beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weight_decay };
  if (o.kind === 'adamw') return new AdamW(params, adamw);
  return new Muon(
    params.filter((p) => isMuonMatrix(p.name, p.tensor.shape)),
    new AdamW(
      params.filter((p) => !isMuonMatrix(p.name, p.tensor.shape)),
      adamw,
    ),
    {
      lr: o.muon_lr,
      baseLr: o.lr,
      momentum: o.muon_momentum,
      nesterov: o.muon_nesterov,
      weightDecay: o.muon_weight_decay,
      nsSteps: o.muon_ns_steps,
    },
  );
}
