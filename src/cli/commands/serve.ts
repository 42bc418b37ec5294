import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { defaultDataDir, defaultDbPath } from '../../main/paths';
import { createAppServices } from '../../main/services/app-services';
import { forkNodeEngine } from '../../main/services/engine-child';
import { startServer } from '../../main/services/ws-server';
import { CliError } from '../errors';
import { withDbOption, type DbOptions } from '../history';
import { nonNegativeInt } from '../options';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const RENDERER = join(ROOT, 'out', 'renderer');

export function registerServe(program: Command): void {
  withDbOption(
    program
      .command('serve')
      .description('browser mode: the app in a web browser, served on 127.0.0.1 (the same services as the desktop app)')
      .option('--port <n>', 'port (0 picks a free one)', nonNegativeInt, 5217)
      .option('--renderer <dir>', 'the built renderer to serve', RENDERER)
      .option('--no-build', 'do not build the renderer when it is missing'),
  ).action(async (options: DbOptions & { port: number; build: boolean; renderer: string }) => {
    if (!existsSync(join(options.renderer, 'index.html'))) {
      if (!options.build || options.renderer !== RENDERER) throw new CliError(`no built renderer in ${options.renderer}`, 'run `npm run build` first', 1);
      process.stderr.write('building the renderer (once)…\n');
      const built = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (built.status !== 0) throw new CliError('the renderer build failed', 'see the output above; `npm run build` builds it alone', 1);
    }
    const services = createAppServices({
      dbPath: options.db ?? defaultDbPath(),
      spawnEngine: () => forkNodeEngine(),
      shell: 'browser',
      actionSetsDir: join(ROOT, 'resources', 'action-sets'),
      defaultExportDir: join(defaultDataDir(), 'exports'),
      log: (message) => process.stderr.write(`warning: ${message}\n`),
    });
    let server;
    try {
      server = await startServer({ port: options.port, staticDir: options.renderer, dispatch: services.dispatch, subscribe: (l) => services.supervisor.subscribe(l) });
    } catch (error) {
      await services.shutdown();
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(code === 'EADDRINUSE' ? `port ${options.port} is in use` : (error as Error).message, 'pick another with --port (0 for any free port)', 1);
    }
    process.stdout.write(`${JSON.stringify({ type: 'serving', url: server.url, db: services.store.path })}\n`);
    process.stderr.write(`geNNerator is at ${server.url} (Ctrl-C to stop; running searches stop and stay resumable)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await services.shutdown();
  });
}
