/**
 * The Tune view's API over a real store and real engine processes (Node children, as browser mode
 * runs them): a controller learns on a tiny synthetic task, each episode recorded with its checkpoint
 * and pushed live; it is applied to a network against a baseline, each schedule recorded; a stopped
 * learn keeps its episodes and resumes; bad requests are refused with what and where, nothing recorded.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseActionSet } from '../../src/shared/action-set';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiResults } from '../../src/shared/api';
import type { TuneUpdate } from '../../src/shared/tuning-api';
import { HistoryStore } from '../../src/main/db/history-store';
import { createApiHandlers } from '../../src/main/services/api-handlers';
import { forkNodeEngine } from '../../src/main/services/engine-child';
import { RunSupervisor } from '../../src/main/services/run-supervisor';
import { TuneSupervisor } from '../../src/main/services/tune-supervisor';
import { resolveTuneModel } from '../../src/main/services/tune-tasks';
import { tempDataDir } from '../support/cli';

const TIMEOUT = 300_000;
const mlp = { kind: 'layers', name: 'tiny mlp', layers: [{ type: 'flatten' }, { type: 'dense', units: 16, activation: 'relu' }] } as const;
const training = { dataset: 'synthetic', epochs: 2, batchSize: 64, decisionsPerEpoch: 2 } as const;

let store: HistoryStore | undefined;
let tuner: TuneSupervisor | undefined;
afterEach(async () => {
  await tuner?.shutdown();
  store?.close();
});

function setup() {
  store = HistoryStore.open(join(tempDataDir(), 'history.db'));
  const spawn = () => forkNodeEngine({ stdio: 'ignore' });
  const supervisor = new RunSupervisor(store, spawn, { log: () => undefined });
  tuner = new TuneSupervisor(store, spawn, { log: () => undefined });
  const updates: TuneUpdate[] = [];
  tuner.subscribe((u) => updates.push(u));
  const call = createApiHandlers({ store, supervisor, tuner, shell: 'browser', backend: () => null, defaultExportDir: '/tmp', defaultActionSets: [] });
  return { call, updates, store, tuner };
}

describe('tuning API', () => {
  it(
    'learns a controller (each episode recorded and pushed), applies it against a baseline (each schedule recorded with test accuracy), and a stopped session keeps what it trained',
    async () => {
      const { call, updates, store, tuner } = setup();
      const learned = (await call('tuning.learn', { name: 'tiny', models: [mlp], training, settings: { episodes: 2, seed: 1, trainFrequencyMin: 2, trainFrequencyMax: 4 } })) as ApiResults['tuning.learn'];
      expect(learned).toEqual({ controller: 'tiny' });
      expect(await tuner.whenDone({ kind: 'learn', controller: 'tiny' })).toBe('ready');
      const controller = (await call('tuning.controller', { name: 'tiny' })) as ApiResults['tuning.controller'];
      expect(controller).toMatchObject({ name: 'tiny', status: 'ready', episodesDone: 2, tasks: [{ name: 'tiny mlp', dataset: 'synthetic', epochs: 2, decisionsPerEpoch: 2 }] });
      expect(controller!.curve.map((p) => p.episode)).toEqual([1, 2]);
      // 2 epochs × 2 decision points, the last being the episode's end: 3 decisions each.
      expect(store.controllerEpisodes('tiny').map((e) => e.decisions.length)).toEqual([3, 3]);
      expect(updates.filter((u) => u.kind === 'episode').map((u) => u.kind === 'episode' && u.point.episode)).toEqual([1, 2]);
      expect(updates.filter((u) => u.kind === 'status').map((u) => u.kind === 'status' && u.status)).toEqual(['learning', 'ready']);

      const { sessionId } = (await call('tuning.apply', { controller: 'tiny', model: mlp, training, baselines: ['constant'], seeds: [0] })) as ApiResults['tuning.apply'];
      expect(await tuner.whenDone({ kind: 'apply', sessionId })).toBe('completed');
      const session = (await call('tuning.session', { id: sessionId })) as ApiResults['tuning.session'];
      expect(session).toMatchObject({ controller: 'tiny', status: 'completed', task: { name: 'tiny mlp' } });
      expect(session!.schedules.map((s) => [s.schedule, s.seed, s.outcome?.status, s.outcome?.epochs.length])).toEqual([
        ['controller', 0, 'completed', 2],
        ['constant', 0, 'completed', 2],
      ]);
      for (const s of session!.schedules) expect(s.outcome!.testAccuracy).toBeGreaterThanOrEqual(0);
      const live = updates.filter((u) => u.kind === 'epoch' && u.job.kind === 'apply');
      expect(live).toHaveLength(4);
      expect(updates.filter((u) => u.kind === 'decision' && u.job.kind === 'apply')).toHaveLength(3);
      expect(((await call('tuning.sessions', { controller: 'tiny' })) as ApiResults['tuning.sessions']).map((s) => s.id)).toEqual([sessionId]);

      // A session stopped after its first schedule keeps it, and says it was stopped.
      const second = (await call('tuning.apply', { controller: 'tiny', model: mlp, training, baselines: ['constant', 'cosine'], seeds: [0, 1, 2] })) as ApiResults['tuning.apply'];
      await expect.poll(() => updates.some((u) => u.kind === 'schedule' && u.job.kind === 'apply' && u.job.sessionId === second.sessionId), { timeout: TIMEOUT, interval: 100 }).toBe(true);
      expect(await call('tuning.stop', { job: { kind: 'apply', sessionId: second.sessionId } })).toEqual({ status: 'stopped' });
      const stopped = store.getTuneSession(second.sessionId)!;
      expect(stopped.status).toBe('stopped');
      expect(stopped.schedules).toHaveLength(9);
      const finished = stopped.schedules.filter((s) => s.outcome);
      expect(finished.length).toBeGreaterThanOrEqual(1);
      expect(finished.length).toBeLessThan(9);
      expect(finished[0]).toMatchObject({ schedule: 'controller', seed: 0, outcome: { status: 'completed' } });
    },
    TIMEOUT,
  );

  it(
    'learns two episodes at a time in worker processes (the form’s “episodes at once”), recording all four in order',
    async () => {
      const { call, store, tuner } = setup();
      const settings = { episodes: 4, seed: 2, trainFrequencyMin: 2, trainFrequencyMax: 4, parallelEpisodes: 2 };
      await call('tuning.learn', { name: 'par', models: [mlp], training, settings });
      // The engine starts evaluation workers for the episodes (their process title says so).
      await expect.poll(() => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes('gennerator-worker'), { timeout: TIMEOUT, interval: 50 }).toBe(true);
      expect(await tuner.whenDone({ kind: 'learn', controller: 'par' })).toBe('ready');
      const controller = (await call('tuning.controller', { name: 'par' })) as ApiResults['tuning.controller'];
      expect(controller).toMatchObject({ status: 'ready', episodesDone: 4, settings: { parallelEpisodes: 2 } });
      expect(controller!.curve.map((p) => p.episode)).toEqual([1, 2, 3, 4]);
      expect(store.controllerEpisodes('par').map((e) => e.decisions.length)).toEqual([3, 3, 3, 3]);
    },
    TIMEOUT,
  );

  it(
    'stops a learning controller, keeping its finished episodes, and resumes it to more',
    async () => {
      const { call, updates, store, tuner } = setup();
      await call('tuning.learn', { name: 'stopper', models: [mlp], training: { ...training, epochs: 1, decisionsPerEpoch: 1 }, settings: { episodes: 50, seed: 0, trainFrequencyMin: 2, trainFrequencyMax: 4 } });
      await expect.poll(() => updates.some((u) => u.kind === 'episode'), { timeout: TIMEOUT, interval: 100 }).toBe(true);
      expect(await call('tuning.stop', { job: { kind: 'learn', controller: 'stopper' } })).toEqual({ status: 'stopped' });
      const stopped = store.getController('stopper')!;
      expect(stopped.status).toBe('stopped');
      expect(stopped.episodesDone).toBeGreaterThanOrEqual(1);
      expect(stopped.curve).toHaveLength(stopped.episodesDone);

      await call('tuning.learn', { name: 'stopper', resume: true, episodes: stopped.episodesDone + 1 });
      expect(await tuner.whenDone({ kind: 'learn', controller: 'stopper' })).toBe('ready');
      expect(store.getController('stopper')).toMatchObject({ status: 'ready', episodesDone: stopped.episodesDone + 1, settings: { episodes: stopped.episodesDone + 1 } });
    },
    TIMEOUT,
  );

  it(
    'learns on networks sampled from a saved action set, each starting at its own dropout',
    async () => {
      const { call, store, tuner } = setup();
      const mlpSet = store.saveActionSet({ name: 'mlp', spec: parseActionSet(JSON.parse(readFileSync('resources/action-sets/mlp.json', 'utf8'))) });
      await expect(call('tuning.learn', { name: 's', sample: { actionSetId: 999, count: 2 }, training, settings: { episodes: 1 } })).rejects.toThrow('sample: there is no action set 999');
      await call('tuning.learn', { name: 'sampled', sample: { actionSetId: mlpSet.id, count: 3 }, training: { ...training, epochs: 1, decisionsPerEpoch: 1 }, settings: { episodes: 1, seed: 4 } });
      const tasks = store.getController('sampled')!.tasks;
      expect(tasks.map((t) => t.name)).toEqual(['mlp #1', 'mlp #2', 'mlp #3']);
      for (const t of tasks) {
        const dropout = t.layers.find((l) => l.type === 'dropout');
        expect(t.initial.dropout).toBe(dropout && dropout.type === 'dropout' ? dropout.rate : 0);
      }
      expect(await tuner.whenDone({ kind: 'learn', controller: 'sampled' })).toBe('ready');
      expect(store.getController('sampled')!.episodesDone).toBe(1);
    },
    TIMEOUT,
  );

  it('names a past run’s candidate as the network to tune, and refuses a candidate that is no layer network', () => {
    const runs: Record<string, { name: string | null; id: string }> = { r1: { name: 'fmnist search', id: 'r1-000000' } };
    const candidates: Record<string, { architecture: unknown }> = {
      'r1/4': { architecture: { layers: [{ type: 'dense', units: 8 }] } },
      'r1/5': { architecture: { nb201: [0, 1, 2, 3, 4, 0] } },
    };
    const fake = { getRun: (id: string) => runs[id], getCandidate: (id: string, index: number) => candidates[`${id}/${index}`] } as unknown as HistoryStore;
    expect(resolveTuneModel(fake, { kind: 'candidate', runId: 'r1', index: 4 })).toEqual({ name: 'fmnist search #4', layers: [expect.objectContaining({ type: 'dense', units: 8 })] });
    expect(() => resolveTuneModel(fake, { kind: 'candidate', runId: 'r1', index: 5 })).toThrow('model: candidate 5 of run r1 is not a network of layers (a NAS-Bench-201 cell cannot be trained here)');
    expect(() => resolveTuneModel(fake, { kind: 'candidate', runId: 'r1', index: 9 })).toThrow('model: run r1 has no candidate 9');
  });

  it('refuses bad requests with what and where, recording nothing and starting no engine', async () => {
    const { call, store } = setup();
    await expect(call('tuning.apply', { controller: 'nobody', model: mlp, training, baselines: [], seeds: [0] })).rejects.toThrow('tuning.apply: there is no controller named "nobody" in the history');
    await expect(call('tuning.learn', { name: 'x', models: [mlp], training: { ...training, dataset: 'fashion-mnist', dataDir: '/nonexistent' }, settings: { episodes: 1 } })).rejects.toThrow(
      /^dataset fashion-mnist: \/nonexistent: directory not found/,
    );
    await expect(call('tuning.learn', { name: 'x', models: [{ kind: 'layers', name: 'too deep', layers: Array.from({ length: 6 }, () => ({ type: 'maxPool', size: 2 })) }], training, settings: { episodes: 1 } })).rejects.toThrow(
      /^too deep: layer \d+ maxPool 2×2: .*\(input 12×12×1\)$/,
    );
    await expect(call('tuning.learn', { name: 'x', models: [{ kind: 'candidate', runId: 'nope', index: 0 }], training, settings: { episodes: 1 } })).rejects.toThrow('model: run nope has no candidate 0');
    await expect(call('tuning.learn', { name: ' ', models: [mlp], training, settings: { episodes: 1 } })).rejects.toThrow(/tuning\.learn: .*a controller needs a name/);
    await expect(call('tuning.stop', { job: { kind: 'apply', sessionId: 3 } })).rejects.toThrow('tuning session 3 is not running here');
    await expect(call('tuning.learn', { name: 'x', models: [mlp], sample: { actionSetId: 1, count: 1 }, training, settings: { episodes: 1 } })).rejects.toThrow('tuning.learn: give models or sample, not both');
    expect(store.listControllers()).toEqual([]);
    expect(store.listTuneSessions()).toEqual([]);
  });
});
