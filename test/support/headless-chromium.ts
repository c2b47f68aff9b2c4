/**
 * A headless Chromium driven by playwright-core, for the tests and benchmarks that look at
 * pages as a reader does. Which browser, in order:
 *   1. SLURRY_CHROMIUM, when set (a path to any Chromium or Chrome);
 *   2. Debian's /usr/bin/chromium, when installed;
 *   3. the chrome-headless-shell inside the npm package @sparticuz/chromium (a dev
 *      dependency: nothing is downloaded), unpacked once per version into the temporary
 *      folder, with the fonts and the NSS libraries it ships, so a machine with only Node
 *      needs nothing else.
 * Every launch gets a fresh profile directory; flags keep the browser offline and quiet.
 */
import {
  accessSync,
  constants,
  createReadStream,
  existsSync,
  readFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  createWriteStream,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { chromium, type BrowserContext } from 'playwright-core';
import { extract } from 'tar-fs';

export interface FoundChromium {
  executable: string;
  /** Where it came from, for skip messages and reports. */
  source: string;
  env: Record<string, string>;
}

const DEBIAN = '/usr/bin/chromium';

/** A file this process may run (a path that exists but cannot run is passed over). */
function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
const PACKAGE = '@sparticuz/chromium';

/** The packaged browser's folder, unpacked on first use (about 30 s), or null when the package is absent. */
async function packagedChromium(): Promise<FoundChromium | null> {
  const require = createRequire(import.meta.url);
  let bin: string;
  let version: string;
  try {
    // Its exports map hides package.json: walk up from the entry point to the package root.
    let root = dirname(require.resolve(PACKAGE));
    while (!existsSync(join(root, 'bin', 'chromium.br')) && dirname(root) !== root) root = dirname(root);
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    bin = join(root, 'bin');
  } catch {
    return null;
  }
  const dir = join(tmpdir(), `slurry-chromium-${version}`);
  const env = {
    LD_LIBRARY_PATH: [join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    FONTCONFIG_FILE: join(dir, 'fonts.conf'),
  };
  const found = { executable: join(dir, 'chromium'), source: `${PACKAGE} ${version} (unpacked in ${dir})`, env };
  if (existsSync(join(dir, 'chromium'))) return found;
  // Unpack beside the final folder and rename it into place: a concurrent test or an
  // interrupted unpack never leaves a half-written browser where it would be used.
  const work = mkdtempSync(join(tmpdir(), `slurry-chromium-${version}-unpacking-`));
  try {
    await pipeline(
      createReadStream(join(bin, 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(join(work, 'chromium'), { mode: 0o755 }),
    );
    for (const tar of ['fonts.tar.br', 'al2023.tar.br']) {
      if (existsSync(join(bin, tar)))
        await pipeline(createReadStream(join(bin, tar)), createBrotliDecompress(), extract(work));
    }
    mkdirSync(join(work, 'lib'), { recursive: true });
    writeFileSync(
      join(work, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n` +
        `<fontconfig>\n  <dir>${join(dir, 'fonts')}</dir>\n` +
        `  <dir>/usr/share/fonts</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    try {
      renameSync(work, dir);
    } catch (err) {
      // Another process finished first: use its copy.
      if (!existsSync(join(dir, 'chromium'))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return found;
}

let cached: Promise<FoundChromium | null> | null = null;

/** The Chromium to use, or null (say why with `NO_CHROMIUM`). */
export function findChromium(): Promise<FoundChromium | null> {
  cached ??= (async () => {
    const forced = process.env.SLURRY_CHROMIUM;
    if (forced) return existsSync(forced) ? { executable: forced, source: `SLURRY_CHROMIUM=${forced}`, env: {} } : null;
    if (isExecutable(DEBIAN)) return { executable: DEBIAN, source: `Debian's ${DEBIAN}`, env: {} };
    return packagedChromium();
  })();
  return cached;
}

export const NO_CHROMIUM =
  process.env.SLURRY_CHROMIUM !== undefined
    ? `no Chromium at SLURRY_CHROMIUM=${process.env.SLURRY_CHROMIUM}`
    : `no Chromium: neither ${DEBIAN} nor the dev dependency ${PACKAGE} (run npm install)`;

export async function withChromium<T>(fn: (ctx: BrowserContext) => Promise<T>): Promise<T> {
  const found = await findChromium();
  if (!found) throw new Error(NO_CHROMIUM);
  const profile = mkdtempSync(join(tmpdir(), 'slurry-chromium-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: found.executable,
    headless: true,
    env: { ...process.env, ...found.env } as Record<string, string>,
    acceptDownloads: true,
    locale: 'en-US',
    args: [
      '--headless',
      '--no-sandbox',
      '--no-zygote',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
