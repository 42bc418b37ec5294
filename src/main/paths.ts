/**
 * Where geNNerator keeps its data. The same directory Electron's app.getPath('userData') gives the
 * app (named after package.json's name), so runs started from the CLI show up in the app.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'gennerator';

export function defaultDataDir(): string {
  if (process.env.GENNERATOR_HOME) return process.env.GENNERATOR_HOME;
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_DIR_NAME);
}

/** The history database: GENNERATOR_DB, or history.db in the data directory. */
export function defaultDbPath(): string {
  return process.env.GENNERATOR_DB ?? join(defaultDataDir(), 'history.db');
}
