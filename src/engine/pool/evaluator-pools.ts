/**
 * A remote worker's evaluation processes: one ProcessPool per evaluator setting (the data and
 * training settings a job carries), started on the first job that needs it and kept, so the data
 * load once per setting; the two used last are kept. At most `size` candidates are evaluated at
 * once across them all. A setting whose pool cannot start (its data differ from the coordinator's,
 * or are missing here) keeps its failure: every later job with it is refused at once.
 */
import type { BackendChoice } from '../../shared/backend';
import type { WorkerEvaluator } from '../../shared/worker-messages';
import { wasmThreadsPerWorker } from '../backends/wasm-threads';
import { ProcessPool } from './process-pool';
import type { WorkerSpawner } from './worker-entry';

const KEPT_SETTINGS = 2;

export class EvaluatorPools {
  /** By setting, the one used last at the end. */
  private readonly pools = new Map<string, Promise<ProcessPool>>();
  private free: number;
  private readonly waiters: Array<() => void> = [];

  constructor(
    /** Candidates evaluated at once (and the processes of each pool). */
    readonly size: number,
    private readonly spawn?: WorkerSpawner,
    private readonly log?: (line: string) => void,
  ) {
    this.free = size;
  }

  /** The pool for this setting, started if need be; rejects with why it cannot start. */
  async get(evaluator: WorkerEvaluator, backend: BackendChoice): Promise<ProcessPool> {
    const key = JSON.stringify([evaluator, backend]);
    let pool = this.pools.get(key);
    this.pools.delete(key);
    if (!pool) {
      pool = ProcessPool.start({ size: this.size, evaluator, backend, wasmThreads: wasmThreadsPerWorker(this.size), spawn: this.spawn, log: this.log });
      void this.evictIdle();
    }
    this.pools.set(key, pool);
    const started = await pool;
    if (!started.failure) return started;
    // It broke after it started (a worker broke the protocol): start it again for the next job.
    if (this.pools.get(key) === pool) this.pools.delete(key);
    void started.close();
    throw started.failure;
  }

  /** Waits for a free evaluation slot; call the returned function to free it. */
  async slot(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.free++;
    };
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map(async (pool) => (await pool).close()));
  }

  /** Ends the pools of settings beyond the last few used, unless they are evaluating. */
  private async evictIdle(): Promise<void> {
    const old = [...this.pools.entries()].slice(0, Math.max(0, this.pools.size + 1 - KEPT_SETTINGS));
    for (const [key, promise] of old) {
      const pool = await promise.catch(() => undefined);
      if (pool && pool.activity.some((worker) => worker.index !== undefined)) continue;
      if (this.pools.get(key) === promise) this.pools.delete(key);
      void pool?.close();
    }
  }
}
