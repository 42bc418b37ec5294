/**
 * The main-process services both shells run: the history store (with the default action sets on
 * first start), the run supervisor, the backend probe and the API dispatcher. Electron's main and
 * browser mode's `cli serve` differ only in how they spawn engines and carry the API.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppInfo } from '../../shared/api';
import { parseActionSet, type ActionSet } from '../../shared/action-set';
import type { BackendReport } from '../../shared/backend';
import { HistoryStore } from '../db/history-store';
import { createApiHandlers, type ApiDispatcher } from './api-handlers';
import type { ArchiveDelivery } from './export-archive';
import { probeBackend } from './backend-probe';
import type { EngineSpawner } from './engine-child';
import { RunSupervisor } from './run-supervisor';
import { TuneSupervisor } from './tune-supervisor';

export interface AppServicesOptions {
  dbPath: string;
  spawnEngine: EngineSpawner;
  shell: AppInfo['shell'];
  /** resources/action-sets: seeded into an empty database. */
  actionSetsDir: string;
  defaultExportDir: string;
  /** How the shell hands an exported zip to the user (a download, a save dialog). */
  deliverArchive?: ArchiveDelivery;
  log?: (message: string) => void;
}

export interface AppServices {
  store: HistoryStore;
  supervisor: RunSupervisor;
  /** The second mode's jobs: controllers learning, tuning sessions. */
  tuner: TuneSupervisor;
  dispatch: ApiDispatcher;
  /** Stops active runs (they stay resumable) and closes the store. */
  shutdown(): Promise<void>;
}

export function createAppServices(options: AppServicesOptions): AppServices {
  const store = HistoryStore.open(options.dbPath);
  const defaultActionSets = readDefaultActionSets(options.actionSetsDir);
  store.seedActionSets(defaultActionSets);
  const supervisor = new RunSupervisor(store, options.spawnEngine, { log: options.log });
  supervisor.recover();
  const tuner = new TuneSupervisor(store, options.spawnEngine, { log: options.log });
  tuner.recover();
  let backend: BackendReport | null = null;
  probeBackend(options.spawnEngine).then(
    (report) => (backend = report),
    (error: Error) => options.log?.(`backend probe failed: ${error.message}`),
  );
  const dispatch = createApiHandlers({ store, supervisor, tuner, shell: options.shell, backend: () => backend, defaultExportDir: options.defaultExportDir, defaultActionSets, deliverArchive: options.deliverArchive });
  return {
    store,
    supervisor,
    tuner,
    dispatch,
    shutdown: async () => {
      await Promise.all([supervisor.shutdown(), tuner.shutdown()]);
      store.close();
    },
  };
}

export function readDefaultActionSets(dir: string): ActionSet[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => parseActionSet(JSON.parse(readFileSync(join(dir, file), 'utf8'))));
}
