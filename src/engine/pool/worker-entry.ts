/**
 * The one seam where evaluation worker processes start. Under the CLI, tests and browser mode the
 * engine runs from source and forks worker-process.ts through tsx; in the app the engine is a
 * bundle in Electron's utility process, and main tells it where the built worker entry is
 * (WORKER_ENTRY_ENV), which it forks with Electron's executable running as Node.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Starts evaluation worker `worker` (1-based): a process with an IPC channel running worker-process.ts. */
export type WorkerSpawner = (worker: number) => ChildProcess;

/** Where the built worker entry is, when the engine runs from a bundle (the app sets it). */
export const WORKER_ENTRY_ENV = 'GENNERATOR_EVALUATION_WORKER';

/** A Node child process running the worker entry: the built one when WORKER_ENTRY_ENV names it, else the source through tsx. */
export function forkEvaluationWorker(): ChildProcess {
  const built = process.env[WORKER_ENTRY_ENV];
  const entry = built || fileURLToPath(new URL('./worker-process.ts', import.meta.url));
  return fork(entry, [], {
    execArgv: built ? [] : ['--import', import.meta.resolve('tsx')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Under Electron (the engine's utility process) the executable is Electron itself: run it as Node.
    env: process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env,
  });
}
