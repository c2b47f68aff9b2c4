/**
 * The default probe suite on one configuration-A checkpoint (GPT with L=4, H=4, d=128,
 * T=128, byte-level vocabulary: 256 bytes + end-of-text), the figure `slurry probe` spends
 * per checkpoint. Items come from the quick corpus built with `--vocab byte` (built here
 * once, cached under the OS temp dir), or from the corpus SLURRY_BENCH_CORPUS names (the
 * model's vocabulary is then that corpus's: 4096 for the quick preset). Prints each
 * suite's median time over several rounds, and side by side on a slice of the facts items,
 * the prefix-sharing scorer against scoring every prompt + candidate sequence whole.
 *
 *   npm run bench -- probes          (or: node dist/bench/probes.js [rounds])
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCorpus } from '../src/data/build.js';
import { presetConfig } from '../src/data/config.js';
import { openCorpus } from '../src/data/corpus.js';
import { kernels } from '../src/engine/backend.js';
import { parseGPTConfig } from '../src/model/config.js';
import { GPT } from '../src/model/gpt.js';
import { tokenLogprobs } from '../src/model/logprobs.js';
import { prepareCloze } from '../src/probes/cloze.js';
import { ensureItemFiles } from '../src/probes/item-cache.js';
import { ClozeItem } from '../src/probes/items.js';
import { readJsonlFile } from '../src/util/jsonl.js';
import { scoreContinuations } from '../src/probes/prefix-scorer.js';
import type { Tokenizer } from '../src/data/tokenizer/tokenizer.js';
import { BUILTIN_SUITES } from '../src/probes/registry.js';
import { runSuite } from '../src/probes/runner.js';
import { SlurryError } from '../src/util/errors.js';
import { median } from './util.js';

const CONTEXT = 128;

async function benchCorpus(): Promise<string> {
  const given = process.env.SLURRY_BENCH_CORPUS;
  if (given) return given;
  const dir = join(tmpdir(), 'slurry-bench-corpus-quick-byte');
  if (!cachedCorpusOpens(dir)) {
    console.log(`building the quick corpus with a byte vocabulary into ${dir} (once)...`);
    await buildCorpus({
      config: presetConfig('quick', { vocabSize: 'byte' }),
      out: dir,
      progress: 'silent',
      force: true,
    });
  }
  return dir;
}

/** Whether a corpus cached by an earlier bench is there and readable by this slurry. */
function cachedCorpusOpens(dir: string): boolean {
  if (!existsSync(join(dir, 'manifest.json'))) return false;
  try {
    openCorpus(dir, { verify: 'size' });
    return true;
  } catch (err) {
    if (!(err instanceof SlurryError)) throw err;
    console.log(`the cached bench corpus is stale (${err.message.split('\n')[0]})`);
    return false;
  }
}

export async function benchProbes(rounds = 3): Promise<void> {
  const corpusDir = await benchCorpus();
  const corpus = openCorpus(corpusDir, { verify: 'size' });
  const info = kernels().info();
  const V = corpus.tokenizer.vocabSize;
  console.log(
    `\n## Probes: default suite on one checkpoint of V=${V}, L=4, H=4, d=128, T=${CONTEXT} (${info.name}/${info.isa}, ${info.threads} threads, median of ${rounds})`,
  );
  const itemsDir = mkdtempSync(join(tmpdir(), 'slurry-bench-items-'));
  let t = performance.now();
  const files = ensureItemFiles(
    itemsDir,
    BUILTIN_SUITES,
    () => ({ corpus: corpusDir, context: CONTEXT }),
    () => {},
  );
  const buildSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const suites = BUILTIN_SUITES.map((def) => def.prepare(files.get(def.name)!, corpus.tokenizer, 'refuse'));
  const prepareSeconds = (performance.now() - t) / 1000;
  console.log(
    `items built once per run in ${buildSeconds.toFixed(1)} s, tokenised once in ${prepareSeconds.toFixed(2)} s`,
  );
  const model = GPT.init(
    parseGPTConfig({ vocab_size: V, n_layer: 4, n_head: 4, n_embd: 128, n_positions: CONTEXT }),
    1,
  );
  const wall = new Map<string, number[]>(suites.map((s) => [s.name, []]));
  const cpu = new Map<string, number[]>(suites.map((s) => [s.name, []]));
  const items = new Map<string, number>();
  const load = loadavg()[0];
  for (let r = 0; r < rounds; r++) {
    for (const suite of suites) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      if (suite.kind === 'samples') items.set(suite.name, suite.run(model).length);
      else items.set(suite.name, runSuite(suite, model).items.length);
      const c = process.cpuUsage(c0);
      wall.get(suite.name)!.push((performance.now() - t0) / 1000);
      cpu.get(suite.name)!.push((c.user + c.system) / 1e6);
    }
  }
  // CPU seconds (all threads) show the work when other processes share the cores.
  console.log(`load average ${load.toFixed(1)} at the start (${cpus().length} cores)`);
  console.log('| suite | items | wall s | cpu s |');
  console.log('| --- | --- | --- | --- |');
  let total = 0;
  let totalCpu = 0;
  for (const [name, xs] of wall) {
    total += median(xs);
    totalCpu += median(cpu.get(name)!);
    console.log(`| ${name} | ${items.get(name)} | ${median(xs).toFixed(2)} | ${median(cpu.get(name)!).toFixed(2)} |`);
  }
  console.log(`| **all** | | **${total.toFixed(2)}** | ${totalCpu.toFixed(2)} |`);
  console.log('target (issue 12): <= 3 s wall on 2 cores');
  compareWithWholeSequences(model, files.get('facts')!, corpus.tokenizer, rounds);
}

/** Trie scoring against whole sequences (tokenLogprobs) on the first facts items. */
function compareWithWholeSequences(
  model: GPT,
  factsFile: string,
  tokenizer: Tokenizer,
  rounds: number,
  count = 8,
): void {
  const items = readJsonlFile(factsFile, ClozeItem, 'refuse')
    .rows.slice(0, count)
    .map((r) => r.value);
  const prepared = prepareCloze(items, tokenizer);
  const requests = prepared.map((p) => ({ context: p.context, continuations: p.options }));
  const whole = prepared.flatMap((p) => p.options.map((o) => [...p.context, ...o]));
  const trie: number[] = [];
  const flat: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    scoreContinuations(model, requests);
    trie.push((performance.now() - t0) / 1000);
    t0 = performance.now();
    tokenLogprobs(model, whole);
    flat.push((performance.now() - t0) / 1000);
  }
  const positions = whole.reduce((a, s) => a + s.length - 1, 0);
  console.log(
    `facts, first ${items.length} items (${whole.length} candidate sequences, ${positions} positions): ` +
      `prefix-sharing scorer ${median(trie).toFixed(2)} s, whole sequences ${median(flat).toFixed(2)} s (${(median(flat) / median(trie)).toFixed(1)}x)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await benchProbes(Number(process.argv[2] ?? 3));
