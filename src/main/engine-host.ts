/**
 * Main's side of the engine process: starts it, validates what it sends, and stops it.
 *
 * Electron-free on purpose: the process comes from a `spawn` function (in the app,
 * `utilityProcess.fork(enginePath)`; elsewhere it can be `child_process.fork` or a test double),
 * which is the one process-spawning seam of the design. Everything here is plain Node.
 */
import type { BackendReport } from '../shared/backend';
import { parseEngineToMain, type MainToEngine } from '../shared/engine-messages';

/**
 * The part of a child process the host needs. Electron's `UtilityProcess` fits it as is: its
 * 'message' listener receives the posted value itself (not a MessageEvent).
 */
export interface EngineChild {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface EngineHostOptions {
  /** How long `stop()` waits for a clean exit after `shutdown` before killing the process. */
  stopTimeoutMs?: number;
  /** Where problems that have no caller to reject go (invalid messages, late errors). */
  log?: (message: string) => void;
}

export class EngineHost {
  private child: EngineChild | null = null;
  private exited: Promise<void> | null = null;
  private backendPromise: Promise<BackendReport> | null = null;
  private readonly stopTimeoutMs: number;
  private readonly log: (message: string) => void;

  constructor(
    private readonly spawn: () => EngineChild,
    options: EngineHostOptions = {},
  ) {
    this.stopTimeoutMs = options.stopTimeoutMs ?? 3000;
    this.log = options.log ?? ((message) => console.error(`[engine] ${message}`));
  }

  /** Starts the engine process once; later calls do nothing. */
  start(): void {
    if (this.child) return;
    const child = this.spawn();
    this.child = child;

    let settle: { resolve: (r: BackendReport) => void; reject: (e: Error) => void } | null = null;
    this.backendPromise = new Promise<BackendReport>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // The report is awaited only when the renderer asks; without this, a failed start before
    // that would surface as an unhandled rejection.
    this.backendPromise.catch(() => undefined);

    child.on('message', (data) => {
      let message;
      try {
        message = parseEngineToMain(data);
      } catch (error) {
        // An invalid message is a bug in the engine; it must not crash main.
        this.log((error as Error).message);
        return;
      }
      switch (message.type) {
        case 'ready':
          settle?.resolve(message.backend);
          settle = null;
          break;
        case 'error':
          if (settle) {
            settle.reject(new Error(message.message));
            settle = null;
            // The engine is useless without a backend; let it go rather than idle.
            this.send({ type: 'shutdown' });
          } else {
            this.log(message.message);
          }
          break;
      }
    });

    this.exited = new Promise<void>((resolve) => {
      child.on('exit', (code) => {
        settle?.reject(new Error(`engine process exited (code ${code}) before it was ready`));
        settle = null;
        if (this.child === child) this.child = null;
        resolve();
      });
    });
  }

  /** The engine's backend report, once it has initialised TensorFlow.js. */
  getBackend(): Promise<BackendReport> {
    if (!this.backendPromise) return Promise.reject(new Error('engine process not started'));
    return this.backendPromise;
  }

  /** Asks the engine to exit and waits for it; kills it if it does not exit in time. */
  async stop(): Promise<void> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return;
    this.send({ type: 'shutdown' });
    if (await exitsWithin(exited, this.stopTimeoutMs)) return;
    child.kill();
    // Bounded as well, so an app quit can never hang on a process that ignores the kill.
    if (!(await exitsWithin(exited, this.stopTimeoutMs))) this.log('engine process did not exit after kill');
  }

  private send(message: MainToEngine): void {
    this.child?.postMessage(message);
  }
}

async function exitsWithin(exited: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([exited.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
