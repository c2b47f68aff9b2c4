/**
 * OpenBLAS's SGEMM as a yardstick for the native one, measured in a child process: a tiny C
 * program, compiled here at bench time, dlopen()s the system's libopenblas.so.0 (Debian:
 * libopenblas0-pthread) and times cblas_sgemm. OpenBLAS is never a dependency of slurry:
 * where the library or a C compiler is missing, `openblasRunner()` says why and the
 * benchmark prints that it was skipped.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE = String.raw`
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef void (*sgemm_t)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
static int cmp(const void* a, const void* b) { double x = *(const double*)a, y = *(const double*)b; return x < y ? -1 : x > y; }
int main(int argc, char** argv) {
  if (argc != 8) { fprintf(stderr, "usage: M N K threads reps transA transB\n"); return 2; }
  void* h = dlopen("libopenblas.so.0", RTLD_NOW);
  if (!h) { printf("ERROR %s\n", dlerror()); return 3; }
  sgemm_t sgemm = (sgemm_t)dlsym(h, "cblas_sgemm");
  void (*set_threads)(int) = (void (*)(int))dlsym(h, "openblas_set_num_threads");
  char* (*corename)(void) = (char* (*)(void))dlsym(h, "openblas_get_corename");
  if (!sgemm || !set_threads) { printf("ERROR cblas_sgemm or openblas_set_num_threads missing\n"); return 3; }
  int M = atoi(argv[1]), N = atoi(argv[2]), K = atoi(argv[3]), T = atoi(argv[4]), reps = atoi(argv[5]);
  int ta = atoi(argv[6]), tb = atoi(argv[7]);
  set_threads(T);
  float* A = malloc(sizeof(float) * (size_t)M * K);
  float* B = malloc(sizeof(float) * (size_t)K * N);
  float* C = malloc(sizeof(float) * (size_t)M * N);
  for (long i = 0; i < (long)M * K; i++) A[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
  for (long i = 0; i < (long)K * N; i++) B[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
  double* gf = malloc(sizeof(double) * reps);
  for (int r = -2; r < reps; r++) {  /* two warm-up calls */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sgemm(101, ta ? 112 : 111, tb ? 112 : 111, M, N, K, 1.0f, A, ta ? M : K, B, tb ? K : N, 0.0f, C, N);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (r >= 0) gf[r] = 2.0 * M * N * K / s / 1e9;
  }
  qsort(gf, reps, sizeof(double), cmp);
  printf("CORE %s\nGFLOPS %.3f\n", corename ? corename() : "?", reps % 2 ? gf[reps / 2] : 0.5 * (gf[reps / 2 - 1] + gf[reps / 2]));
  return 0;
}
`;

export interface OpenBlasRunner {
  /** Median GFLOP/s of `reps` calls (after two warm-up calls), and the kernel set OpenBLAS picked. */
  run(
    shape: { M: number; N: number; K: number; transA?: boolean; transB?: boolean },
    threads: number,
    reps: number,
    coretype?: string,
  ): { gflops: number; core: string };
}

/** Compiles the timing program (cached in the temp directory by source hash). */
export function openblasRunner(): OpenBlasRunner | { skipped: string } {
  const dir = join(tmpdir(), 'slurry-bench');
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(SOURCE).digest('hex').slice(0, 12);
  const exe = join(dir, `openblas-sgemm-${hash}`);
  if (!existsSync(exe)) {
    const src = `${exe}.c`;
    writeFileSync(src, SOURCE);
    const cc = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', exe, src, '-ldl'], { encoding: 'utf8' });
    if (cc.status !== 0)
      return {
        skipped: `OpenBLAS comparison skipped: cannot compile the timing program (${(cc.stderr || String(cc.error)).trim().split('\n')[0]})`,
      };
  }
  const probe = spawnSync(exe, ['8', '8', '8', '1', '1', '0', '0'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = probe.stdout.startsWith('ERROR') ? probe.stdout.slice(6).trim() : probe.stderr.trim();
    return {
      skipped: `OpenBLAS comparison skipped: libopenblas.so.0 not loadable (${why}); install it with apt-get install -y libopenblas-dev`,
    };
  }
  return {
    run({ M, N, K, transA = false, transB = false }, threads, reps, coretype) {
      const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
      if (coretype) env.OPENBLAS_CORETYPE = coretype;
      else delete env.OPENBLAS_CORETYPE;
      const args = [M, N, K, threads, reps, transA ? 1 : 0, transB ? 1 : 0].map(String);
      const r = spawnSync(exe, args, { encoding: 'utf8', env });
      const gf = /GFLOPS ([\d.]+)/.exec(r.stdout);
      if (r.status !== 0 || !gf) throw new Error(`OpenBLAS timing program failed: ${r.stdout}${r.stderr}`);
      return { gflops: Number(gf[1]), core: /CORE (\S+)/.exec(r.stdout)?.[1] ?? '?' };
    },
  };
}
