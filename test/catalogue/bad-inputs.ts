/**
 * The bad-input catalogue: every hostile or careless input found so far, the command that
 * meets it, and the one line the user must see. bad-inputs.test.ts runs each row through
 * the real CLI and checks: a non-zero exit (or the given one), stderr exactly one line
 * `slurry: error: ...` matching `expect` (no stack trace), and nothing left at `absent`.
 * Add a row for every bug found.
 *
 * `setup` makes the input inside the row's own directory from the shared fixtures:
 *   ctx.corpus   a copy of a small real corpus      ctx.run   a copy of a trained tiny run
 *   ctx.ckpt     its last checkpoint                ctx.dir   an empty directory
 * Arguments may name {corpus}, {run}, {ckpt} and {dir}.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editJson, rehashCheckpoint, rehashCorpusFile, rewriteSafetensorsHeader } from './edit-files.js';

export interface CatalogueContext {
  corpus: string;
  run: string;
  ckpt: string;
  dir: string;
}

export interface BadInput {
  input: string;
  setup?: (ctx: CatalogueContext) => void;
  command: string[];
  expect: RegExp;
  /** Expected exit status (default: any non-zero). */
  exit?: number;
  /** A path (with placeholders) that must not exist afterwards: a refused start leaves nothing. */
  absent?: string;
}

type Header = Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
const model = (ctx: CatalogueContext) => join(ctx.ckpt, 'model.safetensors');
const withHeader = (edit: (h: Header) => unknown) => (ctx: CatalogueContext) => {
  rewriteSafetensorsHeader(model(ctx), edit as (h: Record<string, unknown>) => unknown);
  rehashCheckpoint(ctx.ckpt);
};
const firstTwo = (h: Header) =>
  Object.keys(h)
    .filter((k) => k !== '__metadata__')
    .slice(0, 2);
const score = ['score', '{ckpt}', '--text', 'hello'];
const trainTiny = ['train', '--preset', 'tiny', '--corpus', '{corpus}', '--out', '{dir}/new', '--progress', 'silent'];

export const BAD_INPUTS: BadInput[] = [
  // 1. Safetensors, validated as the reference implementation does.
  {
    input: 'model.safetensors: two tensors aliasing one byte range',
    setup: withHeader((h) => {
      const [a, b] = firstTwo(h);
      h[b!]!.data_offsets = h[a!]!.data_offsets;
    }),
    command: score,
    expect: /model\.safetensors: tensor .* starts at byte \d+ of the data, expected \d+ \(tensors must be contiguous/,
  },
  {
    input: 'model.safetensors: negative data_offsets',
    setup: withHeader((h) => {
      h[firstTwo(h)[0]!]!.data_offsets[0] = -4;
    }),
    command: score,
    expect: /field "data_offsets\[0\]": Too small/,
  },
  {
    input: 'model.safetensors: size not dtype x shape',
    setup: withHeader((h) => {
      h[firstTwo(h)[0]!]!.shape = [1];
    }),
    command: score,
    expect: /expected 4 bytes for F32 \[1\]/,
  },
  {
    input: 'model.safetensors: a tensor this config does not have',
    setup: withHeader((h) => {
      const [a] = firstTwo(h);
      h['transformer.h.9.mlp.c_fc.weight'] = h[a!]!;
      delete h[a!];
    }),
    command: score,
    expect: /unexpected tensor transformer\.h\.9\.mlp\.c_fc\.weight/,
  },
  {
    input: 'model.safetensors: __metadata__ of numbers',
    setup: withHeader((h) => {
      (h as Record<string, unknown>).__metadata__ = { format: 1 };
    }),
    command: score,
    expect: /__metadata__: field "format": Invalid input: expected string/,
  },
  {
    input: 'model.safetensors: header length past the end of the file',
    setup: (ctx) => {
      const b = readFileSync(model(ctx));
      b.writeBigUInt64LE(1n << 40n, 0);
      writeFileSync(model(ctx), b);
      rehashCheckpoint(ctx.ckpt);
    },
    command: score,
    expect: /header length 1099511627776 does not fit the file/,
  },

  // 2. One trainer per run.
  {
    input: 'a second trainer on a run another live process is training',
    setup: (ctx) => writeFileSync(join(ctx.run, 'train.lock'), String(process.pid)),
    command: ['train', '--resume', '{run}', '--progress', 'silent'],
    expect: /train\.lock: process \d+ is training .* already/,
  },

  // 3. The divergence guard: see test/train/trainer.test.ts (it needs a diverging run, not a file).

  // 4. Sizes, refused before anything is allocated or written.
  {
    input: '--steps 1e12',
    command: [...trainTiny, '--steps', '1000000000000'],
    expect: /steps: 1000000000000 is more than the 1000000000 a run may take/,
    absent: '{dir}/new',
  },
  {
    input: 'eval.batches: 1000000',
    setup: (ctx) =>
      writeFileSync(join(ctx.dir, 'run.yaml'), `preset: tiny\ncorpus: ${ctx.corpus}\neval: { batches: 1000000 }\n`),
    command: ['train', '{dir}/run.yaml', '--out', '{dir}/new'],
    expect: /eval\.batches: 1000000 batches per source is more than 10000/,
    absent: '{dir}/new',
  },
  {
    input: 'data batch --context 2000000000',
    command: ['data', 'batch', '{corpus}', '--step', '0', '--context', '2000000000'],
    expect: /batchSize x context = 8 x 2000000000 tokens, more than 16777216 per batch/,
  },

  // 5. Manifests, state and tokenizer files, each against its schema.
  {
    input: 'checkpoint manifest.json of {}',
    setup: (ctx) => writeFileSync(join(ctx.ckpt, 'manifest.json'), '{}'),
    command: score,
    expect: /manifest\.json: field "files": Invalid input: expected record/,
  },
  {
    input: 'checkpoint manifest.json of null',
    setup: (ctx) => writeFileSync(join(ctx.ckpt, 'manifest.json'), 'null'),
    command: score,
    expect: /manifest\.json: Invalid input: expected object, received null/,
  },
  {
    input: 'checkpoint manifest.json listing no weights',
    setup: (ctx) =>
      editJson(join(ctx.ckpt, 'manifest.json'), (m) => {
        delete m.files['model.safetensors'];
        return m;
      }),
    command: score,
    expect: /manifest\.json: field "files": expected model\.safetensors and config\.json among the files/,
  },
  {
    input: 'checkpoint manifest.json naming a path outside the checkpoint',
    setup: (ctx) =>
      editJson(join(ctx.ckpt, 'manifest.json'), (m) => {
        m.files['../../config.json'] = m.files['config.json'];
        return m;
      }),
    command: score,
    expect: /manifest\.json: field "files\.\.\.\/\.\.\/config\.json": Invalid key in record/,
  },
  {
    input: "state.json with a step that is not its checkpoint's",
    setup: (ctx) => {
      editJson(join(ctx.ckpt, 'state.json'), (s) => ({ ...s, step: 1 }));
      rehashCheckpoint(ctx.ckpt);
    },
    command: ['train', '--resume', '{run}', '--progress', 'silent'],
    expect: /state\.json: step 1, but the checkpoint is step-\d+/,
  },
  {
    input: 'state.json with null fields',
    setup: (ctx) => {
      editJson(join(ctx.ckpt, 'state.json'), (s) => ({ ...s, tokens: null }));
      rehashCheckpoint(ctx.ckpt);
    },
    command: ['sample', '{ckpt}', '--prompt', 'a', '--max-tokens', '1'],
    expect: /state\.json: field "tokens": Invalid input: expected number, received null/,
  },
  {
    input: 'tokenizer.json with null fields',
    setup: (ctx) => {
      editJson(join(ctx.ckpt, 'tokenizer.json'), (t) => ({ ...t, model: null }));
      rehashCheckpoint(ctx.ckpt);
    },
    command: score,
    expect: /tokenizer\.json: field "model": Invalid input: expected object, received null/,
  },
  {
    input: 'tokenizer.json with a duplicate id',
    setup: (ctx) => {
      editJson(join(ctx.ckpt, 'tokenizer.json'), (t) => {
        t.model.vocab['Ā'] = 1;
        return t;
      });
      rehashCheckpoint(ctx.ckpt);
    },
    command: score,
    expect: /tokenizer\.json: field "model\.vocab": id 1 is used by both/,
  },
  {
    input: 'checkpoint config.json with a mistyped field',
    setup: (ctx) => {
      editJson(join(ctx.ckpt, 'config.json'), (c) => ({ ...c, n_embd: '16' }));
      rehashCheckpoint(ctx.ckpt);
    },
    command: score,
    expect: /config\.json: field "n_embd": Invalid input: expected number, received string/,
  },
  {
    input: 'corpus shard holding a token id past the vocabulary',
    setup: (ctx) => {
      const f = rehashCorpusFile(ctx.corpus, 'shards/moby_dick.val.bin', (b) => {
        b.writeUInt16LE(60000, 2);
      });
      void f;
    },
    command: ['data', 'verify', '{corpus}'],
    expect: /moby_dick\.val\.bin: token id 60000 at position 1 is outside the vocabulary \(0\.\.256\)/,
  },
  {
    input: 'corpus manifest path outside the corpus',
    setup: (ctx) =>
      editJson(join(ctx.corpus, 'manifest.json'), (m) => {
        m.tokenizer.file.path = '../../etc/passwd';
        return m;
      }),
    command: ['data', 'verify', '{corpus}'],
    expect: /manifest\.json: field "tokenizer\.file\.path": expected a path inside the corpus directory/,
  },
  {
    input: 'corpus manifest.json of null',
    setup: (ctx) => writeFileSync(join(ctx.corpus, 'manifest.json'), 'null'),
    command: ['data', 'stats', '{corpus}'],
    expect: /manifest\.json: Invalid input: expected object, received null/,
  },

  // 6. One line, never a stack trace.
  {
    input: '--out is a file',
    setup: (ctx) => writeFileSync(join(ctx.dir, 'file'), 'x'),
    command: [...trainTiny.slice(0, -4), '--out', '{dir}/file', '--progress', 'silent'],
    expect: /file: is a file, expected a directory|file: a part of this path is a file, expected a directory/,
  },
  {
    input: 'report --out is a file',
    setup: (ctx) => writeFileSync(join(ctx.dir, 'file'), 'x'),
    command: ['report', '{run}', '--out', '{dir}/file'],
    expect: /file(\/[\w-]+)?: (is a file, expected a directory|a part of this path is a file, expected a directory)/,
  },
  {
    input: 'probe --items is a file',
    setup: (ctx) => writeFileSync(join(ctx.dir, 'file'), 'x'),
    command: ['probe', '{run}', '--suite', 'tokens', '--items', '{dir}/file', '--progress', 'silent'],
    expect: /file(\/[\w-]+)?: (is a file, expected a directory|a part of this path is a file, expected a directory)/,
  },
  {
    input: 'a directory as the config file',
    setup: (ctx) => mkdirSync(join(ctx.dir, 'conf.yaml')),
    command: ['train', '{dir}/conf.yaml', '--out', '{dir}/new'],
    expect: /conf\.yaml: is a directory, expected a config file/,
    absent: '{dir}/new',
  },
  {
    input: 'a YAML alias bomb',
    setup: (ctx) =>
      writeFileSync(
        join(ctx.dir, 'bomb.yaml'),
        'a: &a [x,x,x,x,x,x,x,x,x]\n' +
          'bcdefghij'
            .split('')
            .map(
              (c, i) =>
                `${c}: &${c} [${Array(9)
                  .fill('*' + 'abcdefghij'[i])
                  .join(',')}]`,
            )
            .join('\n') +
          '\n',
      ),
    command: ['train', '{dir}/bomb.yaml', '--out', '{dir}/new'],
    expect: /bomb\.yaml: Excessive alias count indicates a resource exhaustion attack \(at most 100 alias expansions\)/,
    absent: '{dir}/new',
  },
  {
    input: 'null and mistyped fields in a JSON config',
    setup: (ctx) =>
      writeFileSync(
        join(ctx.dir, 'run.json'),
        JSON.stringify({ preset: 'tiny', corpus: ctx.corpus, batch_size: null, optimizer: { lr: 'fast' } }),
      ),
    command: ['train', '{dir}/run.json', '--out', '{dir}/new'],
    expect: /run\.json: field "batch_size": Invalid input: expected number, received null/,
    absent: '{dir}/new',
  },
  {
    input: 'metrics.jsonl with a mistyped record',
    setup: (ctx) =>
      writeFileSync(
        join(ctx.run, 'metrics.jsonl'),
        readFileSync(join(ctx.run, 'metrics.jsonl'), 'utf8') + '{"type":"val","step":"x"}\n',
      ),
    command: ['analyze', '{run}'],
    expect: /metrics\.jsonl:\d+: field "step"/,
  },

  // 7. Quiet acceptance, now refused.
  {
    input: '--steps 0x10',
    command: [...trainTiny, '--steps', '0x10'],
    expect: /--steps 0x10: expected an integer >= 1/,
    absent: '{dir}/new',
  },
  {
    input: 'data stats --top 0x10',
    command: ['data', 'stats', '{corpus}', '--top', '0x10'],
    expect: /--top 0x10: expected an integer >= 0/,
  },
  {
    input: 'a suite file with bytes that are not UTF-8',
    setup: (ctx) =>
      writeFileSync(
        join(ctx.dir, 'suite.jsonl'),
        Buffer.concat([
          Buffer.from('{"sentence_good":"A dog runs.","sentence_bad":"A dog run."}\n{"sentence_good":"'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('","sentence_bad":"x"}\n'),
        ]),
      ),
    command: ['probe', '{run}', '--suite', '{dir}/suite.jsonl', '--progress', 'silent'],
    expect: /suite\.jsonl:2:\d+: not UTF-8 text \(byte 0x28/,
  },

  // 8. Recovery: a torn latest checkpoint is passed over, saying which and why (a warning:
  // shown even with --progress silent).
  {
    input: 'resume with a torn latest checkpoint',
    setup: (ctx) => writeFileSync(model(ctx), readFileSync(model(ctx)).subarray(0, 100)),
    command: ['train', '--resume', '{run}', '--progress', 'silent'],
    exit: 0,
    expect:
      /resume: skipping checkpoint step-\d+: .*model\.safetensors: \d+ bytes, manifest\.json says \d+ \(damaged or truncated\)/,
  },

  // 9. Experiments: a name that is not one, a seed count, a directory that holds another experiment.
  {
    input: 'experiment with an unknown name',
    command: ['experiment', 'code-helps-poetry', '--out', '{dir}/out'],
    expect: /experiment code-helps-poetry: unknown; expected one of code-helps-reasoning, .*lite-models/,
    absent: '{dir}/out',
  },
  {
    input: 'experiment --seeds 0',
    command: ['experiment', 'anneal', '--out', '{dir}/out', '--seeds', '0'],
    expect: /--seeds 0: expected an integer >= 1/,
    absent: '{dir}/out',
  },
  {
    input: 'experiment into a directory holding another experiment',
    setup: (ctx) => {
      mkdirSync(join(ctx.dir, 'out'));
      writeFileSync(join(ctx.dir, 'out', 'experiment.json'), '{"version":1,"name":"anneal","scale":"tiny","seeds":2}');
    },
    command: ['experiment', 'curriculum', '--out', '{dir}/out', '--scale', 'tiny'],
    expect:
      /--out .*out: holds the experiment "anneal" \(.*experiment\.json\); give another directory for "curriculum"/,
    absent: '{dir}/out/corpora',
  },
  {
    input: 'experiment at another scale than its directory holds',
    setup: (ctx) => {
      mkdirSync(join(ctx.dir, 'out'));
      writeFileSync(join(ctx.dir, 'out', 'experiment.json'), '{"version":1,"name":"anneal","scale":"tiny","seeds":2}');
    },
    command: ['experiment', 'anneal', '--out', '{dir}/out'],
    expect: /holds "anneal" at --scale tiny; rerun with --scale tiny or give another directory/,
    absent: '{dir}/out/corpora',
  },
  {
    input: 'worker with more threads than cores',
    command: ['worker', '--queue', 'redis://127.0.0.1:1', '--threads', '100000'],
    expect: /--threads 100000: more threads than this machine's \d+ cores; give at most \d+/,
  },
  {
    input: 'episode with an unknown precision',
    command: ['episode', '--precision', 'fp16', '--out', '{dir}/ep'],
    expect: /--precision: "fp16" is not a precision; expected one of auto, fp32, bf16/,
    absent: '{dir}/ep',
  },
  {
    input: 'episode continued in another precision than its run trains in',
    setup: (ctx) => {
      mkdirSync(join(ctx.dir, 'ep', 'run'), { recursive: true });
      writeFileSync(join(ctx.dir, 'ep', 'run', 'config.json'), JSON.stringify({ precision: 'bf16' }));
    },
    command: ['episode', '--out', '{dir}/ep', '--precision', 'fp32'],
    expect:
      /--precision fp32: .*ep\/run trains with precision bf16 \(precision in .*config\.json\); a resume keeps the run's precision/,
    absent: '{dir}/ep/corpus',
  },
];
