/**
 * A run whose candidates are trained by three `gennerator worker` processes through BullMQ, with a
 * real engine process, a real SQLite history and a real redis-server: workers are killed with
 * SIGKILL at random moments (each started again at once), and the coordinator (the engine) once,
 * which is then resumed: the run must still end as if nothing had happened — every candidate index
 * once, nothing left running, a sound database.
 */
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { forkNodeEngine, type EngineChild } from '../../src/main/services/engine-child';
import { RunSupervisor } from '../../src/main/services/run-supervisor';
import { QUEUE_PREFIX, redisOptions, runQueueName } from '../../src/engine/pool/redis-queue';
import { createRng } from '../../src/engine/random';
import { tempDataDir } from '../support/cli';
import { expectCleanHistory, faultRunConfig, storeOpener } from '../support/fault-runs';
import { startQueueWorker, type WorkerProcess } from '../support/queue-workers';
import { startRedisServer, type RedisServer } from '../support/redis-server';

const EPOCHS = 2;
/** Only stops a hung test: a passing one takes a few minutes on a loaded machine. */
const TIMEOUT_MS = 900_000;
const openStore = storeOpener();

let redis: RedisServer | undefined;
const workers: WorkerProcess[] = [];
const cleanUps: Array<() => Promise<unknown> | void> = [];
afterAll(async () => {
  for (const cleanUp of cleanUps) await cleanUp();
  await Promise.all(workers.map((w) => w.kill()));
  await redis?.kill();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BullMQ workers killed with SIGKILL at random moments', () => {
  it('10 kills among 3 workers and one of the coordinator leave every candidate index once, nothing running and a sound history', async () => {
    redis = await startRedisServer();
    const url = redis.url();
    for (let i = 0; i < 3; i++) workers.push(startQueueWorker(url));
    const store = openStore(join(tempDataDir(), 'history.db'));
    const logged: string[] = [];
    let engine: EngineChild | undefined;
    const supervisor = new RunSupervisor(store, () => (engine = forkNodeEngine({ stdio: 'ignore' })), { log: (m) => logged.push(m) });
    cleanUps.push(() => supervisor.shutdown());
    let budget = 24;
    // Not auto: each worker would probe for a GPU every time it starts again.
    const config = faultRunConfig({ budget, strategy: 'random', epochs: EPOCHS, workers: 3, backend: 'wasm', redis: { url } });
    // Kills start once candidates are training (before, there is nothing for a kill to interrupt).
    let training!: () => void;
    const trainingStarted = new Promise<void>((resolve) => (training = resolve));
    cleanUps.push(supervisor.subscribe((update) => update.kind === 'event' && update.event.type === 'epoch_done' && training()));
    const runId = supervisor.start(config);
    // Jobs whose worker was killed while it held them, as BullMQ saw them (from the queue's first event on).
    const events = new QueueEvents(runQueueName(runId), { connection: redisOptions(url), prefix: QUEUE_PREFIX, lastEventId: '0' });
    cleanUps.unshift(() => events.close());
    let stalled = 0;
    events.on('stalled', () => stalled++);
    const rng = createRng(17);
    let done = supervisor.whenDone(runId);
    await Promise.race([trainingStarted, done]);
    let kills = 0;
    while (kills < 10) {
      const outcome = await Promise.race([done, sleep(1000 + rng.next() * 2500).then(() => 'kill' as const)]);
      if (outcome === 'kill') {
        // A worker that serves the run, when one does (one still starting holds no job).
        const serving = workers.filter((w) => w.output().includes(`serving run ${runId}`));
        const victim = (serving.length > 0 ? serving : workers)[Math.floor(rng.next() * (serving.length || workers.length))];
        await victim.kill();
        workers[workers.indexOf(victim)] = startQueueWorker(url);
        kills++;
        if (kills === 5) {
          // The coordinator too: its queue stays on Redis, and the resumed run takes up its jobs (and results).
          engine!.kill();
          const status = await done;
          if (status !== 'completed') {
            expect(status).toBe('interrupted');
            supervisor.resume(runId);
            done = supervisor.whenDone(runId);
          }
        }
        continue;
      }
      // Finished between kills: extend it, and keep killing.
      expect(outcome, store.getRun(runId)?.statusReason ?? '').toBe('completed');
      budget += 10;
      supervisor.resume(runId, { budget });
      done = supervisor.whenDone(runId);
    }
    expect(await done, store.getRun(runId)?.statusReason ?? '').toBe('completed');
    expect(logged).toEqual([]);
    expect(stalled, 'jobs taken over from a killed worker').toBeGreaterThan(0);
    expectCleanHistory(store.path, runId, { budget, epochs: EPOCHS });
  }, TIMEOUT_MS);
});
