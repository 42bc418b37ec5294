/** The CLI's access to the history store and the run supervisor (the same services the app uses). */
import type { Command } from 'commander';
import { HistoryStore, HistoryStoreError } from '../main/db/history-store';
import { defaultDbPath } from '../main/paths';
import { forkNodeEngine } from '../main/services/engine-child';
import { isProcessAlive, RunSupervisor } from '../main/services/run-supervisor';
import { CliError } from './errors';

export interface DbOptions {
  db?: string;
}

export function withDbOption(command: Command): Command {
  return command.option('--db <file>', 'history database (default: $GENNERATOR_DB, or history.db in the user data directory)');
}

export function openHistory(options: DbOptions): HistoryStore {
  const path = options.db ?? defaultDbPath();
  try {
    const store = HistoryStore.open(path);
    // Runs left "running" by a process that died are interrupted (controllers left learning and tuning
    // sessions left running are stopped): say so before anyone reads them.
    store.markOrphanedRuns(isProcessAlive);
    store.markOrphanedTuning(isProcessAlive);
    return store;
  } catch (error) {
    if (error instanceof HistoryStoreError) throw new CliError(error.message, 'pass another file with --db');
    throw error;
  }
}

/** Opens the history for one command and closes it when the command is done (also on errors). */
export async function withHistory<T>(options: DbOptions, use: (store: HistoryStore) => T | Promise<T>): Promise<T> {
  const store = openHistory(options);
  try {
    return await use(store);
  } finally {
    store.close();
  }
}

/** A supervisor whose engines are Node child processes; its problems go to stderr as warnings. */
export function createSupervisor(store: HistoryStore): RunSupervisor {
  return new RunSupervisor(store, () => forkNodeEngine(), { log: (message) => process.stderr.write(`warning: ${message}\n`) });
}

/** A run id, or a unique prefix of one (as git takes short hashes). */
export function resolveRun(store: HistoryStore, idOrPrefix: string): string {
  try {
    return store.resolveRunId(idOrPrefix);
  } catch (error) {
    if (error instanceof HistoryStoreError) throw new CliError(error.message, 'see `runs list`');
    throw error;
  }
}
