/**
 * bench:gpu with several processes sharing the GPU (`--processes N`), as a pool of evaluation workers
 * would: the coordinator starts N copies of the bench, each warms up on its own, and every figure is
 * measured by all N at once (a barrier before each measured epoch). Per figure it reports the sum of
 * the processes' img/s and the images of all of them over the wall time from the first start to the
 * last end (the lower, honest figure when they do not finish together).
 */
import { fork } from 'node:child_process';

/** What a measuring process says about one figure's measured epoch. */
export interface TimedFigure {
  images_per_s: number;
  images: number;
  started_ms: number;
  ended_ms: number;
}

interface ProcessResult {
  backends: Record<string, { device: string; nets: Record<string, Record<string, TimedFigure>> }>;
}

export interface SharedFigure {
  processes: number;
  summed_images_per_s: number;
  wall_images_per_s: number;
  per_process_images_per_s: number[];
}

type ChildMessage = { type: 'ready'; key: string };
type ParentMessage = { type: 'go'; key: string };

/** Set for the processes runProcesses starts. */
const COORDINATED_ENV = 'GENNERATOR_BENCH_COORDINATED';

/** Whether this process was started by runProcesses (and so measures in step with the others). */
export function isCoordinated(): boolean {
  return process.env[COORDINATED_ENV] === '1' && process.send !== undefined;
}

/** In a process started by runProcesses: waits until every process is ready to measure `key`. */
export function barrier(key: string): Promise<void> {
  const send = process.send?.bind(process);
  if (!send || !isCoordinated()) return Promise.resolve();
  // A coordinator that is gone (stopped, crashed) will never say go.
  if (process.listenerCount('disconnect') === 0) process.on('disconnect', () => process.exit(1));
  return new Promise((resolve) => {
    const onMessage = (message: ParentMessage) => {
      if (message?.type !== 'go' || message.key !== key) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    send({ type: 'ready', key } satisfies ChildMessage);
  });
}

/** Lets a barrier-waiting child exit once it is done (the IPC channel would keep it alive). */
export function leaveCoordinator(): void {
  if (!isCoordinated()) return;
  // Our own disconnect is not a lost coordinator: the barrier's exit(1) must not fire for it.
  process.removeAllListeners('disconnect');
  process.disconnect?.();
}

/**
 * Runs this same script `count` times with `args` (its own flags, minus --processes), releases each
 * figure's barrier when all are ready, and combines their JSON results figure by figure.
 */
export async function runProcesses(count: number, args: string[], log: (line: string) => void) {
  const ready = new Map<string, number>();
  const children = Array.from({ length: count }, (_, i) => {
    const child = fork(process.argv[1], args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, [COORDINATED_ENV]: '1' } });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') log(`[${i + 1}/${count}] ${line}`);
    });
    child.on('message', (message: ChildMessage) => {
      if (message?.type !== 'ready') return;
      const n = (ready.get(message.key) ?? 0) + 1;
      ready.set(message.key, n);
      if (n === count) for (const c of children) if (c.connected) c.send({ type: 'go', key: message.key } satisfies ParentMessage);
    });
    const done = new Promise<ProcessResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (code !== 0) return reject(new Error(`bench process ${i + 1} exited with ${signal ?? code}`));
        try {
          resolve(JSON.parse(stdout) as ProcessResult);
        } catch {
          reject(new Error(`bench process ${i + 1} printed no JSON result`));
        }
      });
    });
    return Object.assign(child, { done });
  });
  let results: ProcessResult[];
  try {
    results = await Promise.all(children.map((c) => c.done));
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
  return combine(results);
}

function combine(results: ProcessResult[]) {
  const significant = (x: number) => Number(x.toPrecision(4));
  const combined: Record<string, { device: string; nets: Record<string, Record<string, SharedFigure>> }> = {};
  for (const [backend, first] of Object.entries(results[0].backends)) {
    const out = (combined[backend] = { device: first.device, nets: {} as Record<string, Record<string, SharedFigure>> });
    for (const [net, byBatch] of Object.entries(first.nets)) {
      for (const batch of Object.keys(byBatch)) {
        const figures = results.map((r) => r.backends[backend]?.nets[net]?.[batch]).filter((f): f is TimedFigure => f !== undefined);
        const images = figures.reduce((sum, f) => sum + f.images, 0);
        const seconds = (Math.max(...figures.map((f) => f.ended_ms)) - Math.min(...figures.map((f) => f.started_ms))) / 1000;
        (out.nets[net] ??= {})[batch] = {
          processes: figures.length,
          summed_images_per_s: significant(figures.reduce((sum, f) => sum + f.images_per_s, 0)),
          wall_images_per_s: significant(images / seconds),
          per_process_images_per_s: figures.map((f) => significant(f.images_per_s)),
        };
      }
    }
  }
  return combined;
}
