/**
 * `npm run bench`: every benchmark of slurry, each side by side with its reference where
 * one is installed. Sections can be picked: `npm run bench -- train gemm`.
 */
import { benchAnalysis } from './analysis.js';
import { benchData } from './data.js';
import { benchFused } from './fused.js';
import { benchGemm } from './gemm.js';
import { benchGrok } from './grok.js';
import { benchMuon } from './muon.js';
import { benchInterp } from './interp.js';
import { benchProbes } from './probes.js';
import { benchServe } from './serve.js';
import { benchSweep } from './sweep.js';
import { benchTraining } from './train.js';

const sections: Record<string, () => void | Promise<void>> = {
  gemm: () => benchGemm(),
  fused: () => benchFused(),
  train: () => benchTraining(),
  data: () => benchData(),
  probes: () => benchProbes(),
  analysis: () => benchAnalysis(),
  grok: () => benchGrok(),
  muon: () => benchMuon(),
  serve: () => benchServe(),
  sweep: () => benchSweep(),
  interp: () => benchInterp(),
};

const wanted = process.argv.slice(2);
for (const name of wanted)
  if (!(name in sections))
    throw new Error(`unknown benchmark section ${name}; expected ${Object.keys(sections).join(', ')}`);
console.log(`# slurry benchmarks (${new Date().toISOString()})`);
for (const [name, run] of Object.entries(sections)) if (!wanted.length || wanted.includes(name)) await run();
