import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { HistoryStoreError } from '../../main/db/history-store';
import { defaultDataDir, defaultDbPath } from '../../main/paths';
import { BUILT_RENDERER, ensureBuiltRenderer, startBrowserMode, type BrowserMode } from '../../main/services/browser-mode';
import { CliError, EXIT } from '../errors';
import { withDbOption, type DbOptions } from '../history';
import { nonNegativeInt } from '../options';

export function registerServe(program: Command): void {
  withDbOption(
    program
      .command('serve')
      .description('browser mode: the app in a web browser, served on 127.0.0.1 (the same services as the desktop app)')
      .option('--port <n>', 'port (0 picks a free one)', nonNegativeInt, 5217)
      .option('--renderer <dir>', 'the built renderer to serve', BUILT_RENDERER)
      .option('--no-build', 'do not build the renderer when it is missing'),
  ).action(async (options: DbOptions & { port: number; build: boolean; renderer: string }) => {
    const warn = (message: string) => process.stderr.write(`warning: ${message}\n`);
    if (!existsSync(join(options.renderer, 'index.html'))) {
      if (!options.build || options.renderer !== BUILT_RENDERER) throw new CliError(`no built renderer in ${options.renderer}`, 'run `npm run build` first');
      if (!ensureBuiltRenderer((message) => process.stderr.write(`${message}\n`))) {
        throw new CliError('the renderer build failed', 'see the output above; `npm run build` builds it alone', EXIT.failed);
      }
    }
    let mode: BrowserMode;
    try {
      mode = await startBrowserMode({
        dbPath: options.db ?? defaultDbPath(),
        port: options.port,
        renderer: options.renderer,
        defaultExportDir: join(defaultDataDir(), 'exports'),
        log: warn,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${options.port} is in use`, 'pick another with --port (0 for any free port)');
      if (error instanceof HistoryStoreError) throw new CliError(error.message, 'pass another file with --db');
      throw error;
    }
    const { server, services } = mode;
    // Listening before saying so: a signal right after the announcement still closes everything.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.stdout.write(`${JSON.stringify({ type: 'serving', url: server.url, db: services.store.path })}\n`);
    process.stderr.write(`geNNerator is at ${server.url} (Ctrl-C to stop; running searches stop and stay resumable)\n`);
    await stopped;
    await mode.close();
  });
}
