// Bundles the dashboard page (src/serve/web) with its npm packages into dist/web, so
// `slurry serve` works offline: nothing is loaded from a CDN.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(root, 'src', 'serve', 'web', 'main.ts') },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  outdir: out,
  logLevel: 'warning',
});
copyFileSync(join(root, 'src', 'serve', 'web', 'index.html'), join(out, 'index.html'));
