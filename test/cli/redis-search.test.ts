/**
 * `search --redis` through the real CLI, with two `gennerator worker` processes training on a
 * password-protected redis-server: the run completes with every candidate once, and the password
 * shows nowhere. Then Redis dies in the middle of a run: the search fails with an error naming the
 * URL (not the password), and every candidate recorded before stays recorded.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, spawnCli, tempDataDir } from '../support/cli';
import { startQueueWorker, type WorkerProcess } from '../support/queue-workers';
import { startRedisServer, type RedisServer } from '../support/redis-server';

const PASSWORD = 'pw-never-shown';
let redis: RedisServer | undefined;
const workers: WorkerProcess[] = [];

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await redis?.kill();
});

const search = (db: string, url: string, budget: number) => [
  'search',
  ...['--dataset', 'synthetic', '--action-set', join(REPO_ROOT, 'resources/action-sets/mlp.json'), '--epochs', '1', '--batch-size', '32'],
  ...['--strategy', 'random', '--seed', '4', '--budget', String(budget), '--backend', 'wasm', '--workers', '2', '--redis', url, '--json', '--db', db],
];

interface ShownRun {
  status: string;
  config: { redis?: { url: string; attempts: number } };
  candidates: Array<{ index: number; status: string }>;
}

async function showRun(db: string, runId: string): Promise<ShownRun> {
  const shown = await runCli(['runs', 'show', runId, '--json', '--db', db]);
  expect(shown.code, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout) as ShownRun;
}

describe('search --redis', () => {
  it('refuses a Redis that does not answer before any run is recorded, without showing the password', async () => {
    const db = join(tempDataDir(), 'history.db');
    const run = await runCli(search(db, `redis://:${PASSWORD}@127.0.0.1:1/0`, 2));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^error: --redis: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0: connect ECONNREFUSED/);
    expect(run.stderr).toMatch(/hint: start redis-server there/);
    expect(run.stderr + run.stdout).not.toContain(PASSWORD);
    const list = await runCli(['runs', 'list', '--json', '--db', db]);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('trains on two remote workers; a lost Redis fails the run with a clear error and keeps what was recorded', async () => {
    redis = await startRedisServer({ password: PASSWORD });
    const url = redis.url();
    const shownUrl = `redis://:***@127.0.0.1:${redis.port}/0`;
    workers.push(startQueueWorker(url, []), startQueueWorker(url, []));
    const db = join(tempDataDir(), 'history.db');

    const done = await runCli(search(db, url, 6));
    expect(done.code, done.stderr).toBe(0);
    const runId = done.events.find((e) => e.type === 'run')!.run_id as string;
    expect(done.events.find((e) => e.type === 'backend')!.device).toContain(`remote workers through BullMQ on ${shownUrl}`);
    const complete = await showRun(db, runId);
    expect(complete.status).toBe('completed');
    expect(complete.candidates.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(complete.config.redis).toEqual({ url: shownUrl, attempts: 3 });

    // Redis dies while a longer run is under way.
    const child = spawnCli(search(db, url, 500));
    let stdout = '';
    let stderr = '';
    const finished = new Set<number>();
    let enough!: () => void;
    const threeFinished = new Promise<void>((resolve) => (enough = resolve));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const line of stdout.split('\n').filter((l) => l.includes('"candidate_finished"'))) finished.add((JSON.parse(line) as { index: number }).index);
      if (finished.size >= 3) enough();
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await Promise.race([threeFinished, exited]);
    expect(finished.size, stderr).toBeGreaterThanOrEqual(3);
    await redis.kill();
    const code = await exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: .*lost the connection to Redis at /m);
    expect(stderr).toContain(`lost the connection to Redis at ${shownUrl} (connect ECONNREFUSED`);
    const failedId = stdout.split('\n').map((l) => (l.startsWith('{') ? (JSON.parse(l) as { type: string; run_id?: string }) : undefined)).find((e) => e?.type === 'run')!.run_id!;
    const failed = await showRun(db, failedId);
    expect(failed.status).toBe('failed');
    const recorded = failed.candidates.map((c) => c.index);
    for (const index of finished) expect(recorded).toContain(index);
    expect(new Set(recorded).size).toBe(recorded.length);
    expect(failed.candidates.filter((c) => c.status === 'running')).toEqual([]);

    for (const text of [done.stdout, done.stderr, stdout, stderr, ...workers.map((w) => w.output())]) expect(text).not.toContain(PASSWORD);
  });
});
