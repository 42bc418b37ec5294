/**
 * The one process-spawning seam: main asks for "an engine process" and gets an EngineChild. In the
 * app that is `utilityProcess.fork(enginePath)` (src/main/index.ts); under the CLI, tests and
 * browser mode it is a Node child process running the engine entry through tsx (this file).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MainToEngine } from '../../shared/engine-messages';

/** The part of a child process main needs. Electron's UtilityProcess fits it as is. */
export interface EngineChild {
  readonly pid?: number;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number | null, signal?: NodeJS.Signals | null) => void): unknown;
  kill(): boolean;
}

export type EngineSpawner = () => EngineChild;

/** How long a stop waits, by default, for an engine to exit before killing it. */
export const STOP_TIMEOUT_MS = 10_000;

/**
 * Asks a supervised engine to stop (marking the stop as asked for) and kills it if it has not exited
 * within timeoutMs; resolves as its `done` does, with the final status.
 */
export function stopEngine<S>(job: { readonly child: EngineChild; stopRequested: boolean; readonly done: Promise<S> }, timeoutMs: number): Promise<S> {
  job.stopRequested = true;
  job.child.postMessage({ type: 'stop' } satisfies MainToEngine);
  const timer = setTimeout(() => job.child.kill(), timeoutMs);
  return job.done.finally(() => clearTimeout(timer));
}

const ENGINE_ENTRY = fileURLToPath(new URL('../engine-process.ts', import.meta.url));

/** A Node child process running the engine from source (the CLI itself runs under tsx). */
export function forkNodeEngine(options: { stdio?: 'inherit' | 'ignore' } = {}): EngineChild {
  const child = fork(ENGINE_ENTRY, [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    stdio: [options.stdio ?? 'inherit', options.stdio ?? 'inherit', 'inherit', 'ipc'],
  });
  return {
    get pid() {
      return child.pid;
    },
    postMessage: (message) => {
      // After the child is gone there is nobody to tell; its exit is handled on 'exit'.
      if (child.connected) child.send(message as never);
    },
    on: (event: string, listener: (...args: unknown[]) => void) => child.on(event, listener),
    kill: () => child.kill('SIGKILL'),
  } as EngineChild;
}
