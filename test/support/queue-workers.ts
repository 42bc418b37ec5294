/** `gennerator worker` processes for the tests of scale-out through BullMQ, started through the real CLI. */
import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './cli';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the first line (printed so far or later) that matches; rejects if the worker exits first. */
  waitFor(pattern: RegExp): Promise<string>;
  /** SIGKILL, as a crash; resolves once it has exited. */
  kill(): Promise<void>;
}

/** Short locks, so that a killed worker's job goes to another within seconds. */
export const FAST_FAILOVER = ['--lock-duration', '2000', '--stalled-interval', '1000'];

export function startQueueWorker(url: string, args: string[] = FAST_FAILOVER): WorkerProcess {
  const child = spawnCli(['worker', '--redis', url, ...args]);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const listener of listeners) listener();
  });
  return {
    child,
    output: () => output,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const line = output.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            listeners.delete(check);
            resolve(line);
          } else if (gone) {
            listeners.delete(check);
            reject(new Error(`the worker exited before printing ${pattern}:\n${output}`));
          }
        };
        listeners.add(check);
        check();
      }),
    kill: async () => {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
  };
}
