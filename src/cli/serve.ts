import type { Command } from 'commander';
import { isLoopback } from '../serve/auth.js';
import { portHolder } from '../serve/port-holder.js';
import { openRoot } from '../serve/root.js';
import { listen } from '../serve/server.js';
import { check, SlurryError } from '../util/errors.js';

/** `slurry serve [ROOT]`: the live dashboard over every run under ROOT (read-only). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('live dashboard in the browser over every run, episode, sweep and grokking run under ROOT (read-only)')
    .argument('[root]', 'folder of run directories, searched at any depth', '.')
    .option('--port <n>', 'TCP port (0: any free port)', '8080')
    .option('--host <address>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--token <secret>', 'required on every request (open the printed URL once; the page keeps it in a cookie)')
    .action(async (rootArg: string, flags: { port: string; host: string; token?: string }) => {
      const port = Number(flags.port);
      check(
        Number.isInteger(port) && port >= 0 && port < 65536,
        `--port ${flags.port}: expected a port number 0-65535`,
      );
      check(
        isLoopback(flags.host) || flags.token,
        `--host ${flags.host}: exposing the dashboard beyond this machine needs --token SECRET`,
      );
      check(flags.token === undefined || flags.token.length >= 8, '--token: use at least 8 characters');
      const root = openRoot(rootArg);
      const token = flags.token ?? null;
      let running;
      try {
        running = await listen({ root, host: flags.host, port, token, checkHost: token === null });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') {
          const holder = portHolder(port);
          const who = holder ? `process ${holder.pid} (${holder.command})` : 'another process';
          throw new SlurryError(`--port ${port}: already in use on ${flags.host} by ${who}; pick another with --port`);
        }
        if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
          throw new SlurryError(`--host ${flags.host}: not an address of this machine`);
        if (e.code === 'EACCES')
          throw new SlurryError(`--port ${port}: not allowed (ports below 1024 need privileges)`);
        throw err;
      }
      const url = token ? `${running.url}?token=${encodeURIComponent(token)}` : running.url;
      console.log(`slurry serve: ${root} at ${url}`);
      console.log('read-only; Ctrl-C stops it');
      const stop = () => {
        void running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
