/** The second mode's history: controllers, their learning episodes (crash-safe with the checkpoint), tuning sessions. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStoreError } from '../../../src/main/db/history-store';
import { LATEST_VERSION, migrate } from '../../../src/main/db/migrations';
import {
  ControllerSettingsSchema,
  TuningTaskSchema,
  type EpisodeOutcome,
  type Hyperparameters,
  type TuneDecision,
} from '../../../src/shared/tuning';
import { openStore, query, tempDir } from './helpers';
import Database from 'better-sqlite3';

const settings = ControllerSettingsSchema.parse({ episodes: 4, seed: 3 });
const task = TuningTaskSchema.parse({ name: 'small mlp', layers: [{ type: 'dense', units: 32 }], dataset: 'fashion-mnist', subset: 500, epochs: 2 });
const other = TuningTaskSchema.parse({ ...task, name: 'wider mlp', layers: [{ type: 'dense', units: 64 }] });
const adam: Hyperparameters = { learningRate: 1e-3, optimizer: 'adam', dropout: 0, weightDecay: 0 };

function decision(step: number, intervened: boolean, threshold: number): TuneDecision {
  return {
    step,
    progress: (step + 1) / 2,
    epoch: step + 1,
    interveneProbability: intervened ? 0.8 : 0.1,
    threshold,
    intervened,
    ...(intervened ? { change: { lrFactor: 0.3, optimizer: 'keep', dropoutDelta: 0, weightDecayFactor: 1 } as const } : {}),
    hyperparameters: intervened ? { ...adam, learningRate: 3e-4 } : adam,
    reward: 0.25,
  };
}

function outcome(finalValidAccuracy: number, ret: number, interventions = 1): EpisodeOutcome {
  return {
    status: 'completed',
    epochs: [1, 2].map((epoch) => ({ epoch, trainLoss: 1 / epoch, validLoss: 1.1 / epoch, validAccuracy: finalValidAccuracy - (2 - epoch) * 0.05, hyperparameters: adam, seconds: 1.5 })),
    decisions: [decision(0, interventions > 0, 0.5), decision(1, interventions > 1, 0.45)],
    finalValidAccuracy,
    return: ret,
    seconds: 3,
  };
}

describe('controllers', () => {
  it('records a controller learning, its episodes as a curve, and its checkpoint after each', () => {
    const store = openStore();
    const created = store.createController({ name: ' lr-steer ', settings, tasks: [task, other], ownerPid: process.pid });
    expect(created).toMatchObject({ name: 'lr-steer', status: 'learning', episodesDone: 0, curve: [], settings, tasks: [task, other] });
    expect(store.controllerCheckpoint('lr-steer')).toEqual({ settings, tasks: [task, other], episodesDone: 0, checkpoint: null });

    store.recordControllerEpisode('lr-steer', { episode: 1, task: task.name, outcome: outcome(0.71, 0.9), checkpoint: { weights: [1, 2], step: 1 } });
    store.recordControllerEpisode('LR-STEER', { episode: 2, task: other.name, outcome: outcome(0.76, 1.2, 2), checkpoint: { weights: [3, 4], step: 2 } });

    const summary = store.getController('lr-steer')!;
    expect(summary.episodesDone).toBe(2);
    expect(summary.curve).toEqual([
      { episode: 1, task: 'small mlp', return: 0.9, finalValidAccuracy: 0.71, interventions: 1, threshold: 0.45 },
      { episode: 2, task: 'wider mlp', return: 1.2, finalValidAccuracy: 0.76, interventions: 2, threshold: 0.45 },
    ]);
    expect(store.controllerCheckpoint('lr-steer')).toMatchObject({ episodesDone: 2, checkpoint: { weights: [3, 4], step: 2 } });
    const [, second] = store.controllerEpisodes('lr-steer');
    expect(second.decisions.map((d) => d.hyperparameters.learningRate)).toEqual([3e-4, 3e-4]);
    expect(second.epochs.map((e) => e.validAccuracy)).toEqual([0.71, 0.76]);
    expect(store.controllerEpisodes('lr-steer', 2).map((e) => e.episode)).toEqual([2]);

    store.setControllerStatus('lr-steer', 'ready');
    expect(store.listControllers().map((c) => [c.name, c.status])).toEqual([['lr-steer', 'ready']]);
  });

  it('refuses a taken name, an episode out of order, and an unknown controller, changing nothing', () => {
    const store = openStore();
    store.createController({ name: 'a', settings, tasks: [task], ownerPid: process.pid });
    expect(() => store.createController({ name: 'A', settings, tasks: [task], ownerPid: process.pid })).toThrow('a controller named "A" already exists');
    expect(() => store.createController({ name: '  ', settings, tasks: [task], ownerPid: process.pid })).toThrow(HistoryStoreError);
    expect(() => store.createController({ name: 'b', settings, tasks: [], ownerPid: process.pid })).toThrow(/at least one task/);
    store.recordControllerEpisode('a', { episode: 1, task: task.name, outcome: outcome(0.7, 1), checkpoint: { n: 1 } });
    expect(() => store.recordControllerEpisode('a', { episode: 1, task: task.name, outcome: outcome(0.9, 5), checkpoint: { n: 9 } })).toThrow(
      'controller "a" has 1 episode(s) recorded: the next is 2, not 1',
    );
    expect(() => store.recordControllerEpisode('a', { episode: 3, task: task.name, outcome: outcome(0.9, 5), checkpoint: { n: 9 } })).toThrow(/the next is 2, not 3/);
    expect(() => store.recordControllerEpisode('nope', { episode: 1, task: task.name, outcome: outcome(0.9, 5), checkpoint: {} })).toThrow(
      'there is no controller named "nope" in the history',
    );
    expect(store.controllerCheckpoint('a')).toMatchObject({ episodesDone: 1, checkpoint: { n: 1 } });
    expect(store.getController('a')!.curve.map((p) => p.return)).toEqual([1]);
    expect(store.listControllers().map((c) => c.name)).toEqual(['a']);
  });

  it('keeps the episode row and the checkpoint together: a failed write leaves neither', () => {
    const store = openStore();
    store.createController({ name: 'c', settings, tasks: [task], ownerPid: process.pid });
    // A checkpoint that cannot become JSON fails after the episode's INSERT, inside the transaction.
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => store.recordControllerEpisode('c', { episode: 1, task: task.name, outcome: outcome(0.7, 1), checkpoint: circular })).toThrow(/circular/i);
    expect(store.getController('c')).toMatchObject({ episodesDone: 0, curve: [] });
    expect(query(store.path, `SELECT count(*) AS n FROM controller_episodes`)).toEqual([{ n: 0 }]);
  });

  it('resumes a stopped controller at its last finished episode, to a new total; refuses while learning or when done', () => {
    const store = openStore();
    store.createController({ name: 'r', settings, tasks: [task], ownerPid: process.pid });
    expect(() => store.resumeController('r', { ownerPid: process.pid })).toThrow(/is learning in process \d+: stop it first/);
    store.recordControllerEpisode('r', { episode: 1, task: task.name, outcome: outcome(0.7, 1), checkpoint: { n: 1 } });
    store.setControllerStatus('r', 'stopped', 'stopped by Ctrl-C');
    expect(store.getController('r')).toMatchObject({ status: 'stopped', error: 'stopped by Ctrl-C' });

    const point = store.resumeController('r', { ownerPid: 4242 });
    expect(point).toMatchObject({ episodesDone: 1, checkpoint: { n: 1 }, settings: { episodes: 4 } });
    expect(store.getController('r')).toMatchObject({ status: 'learning' });
    expect(store.getController('r')!.error).toBeUndefined();

    store.recordControllerEpisode('r', { episode: 2, task: task.name, outcome: outcome(0.7, 1), checkpoint: { n: 2 } });
    store.setControllerStatus('r', 'ready');
    expect(() => store.resumeController('r', { ownerPid: process.pid, episodes: 2 })).toThrow('controller "r" has learned 2 of 2 episodes already: ask for more than 2 episodes');
    expect(store.resumeController('r', { ownerPid: process.pid, episodes: 6 })).toMatchObject({ episodesDone: 2, settings: { episodes: 6 } });
    expect(store.getController('r')!.settings.episodes).toBe(6);
  });

  it('marks controllers and sessions left by a dead process as stopped, keeping their episodes', () => {
    const store = openStore();
    store.createController({ name: 'dead', settings, tasks: [task], ownerPid: 111 });
    store.createController({ name: 'alive', settings, tasks: [task], ownerPid: 222 });
    store.recordControllerEpisode('dead', { episode: 1, task: task.name, outcome: outcome(0.7, 1), checkpoint: { n: 1 } });
    const session = store.createTuneSession({ controller: 'alive', task, schedules: [{ schedule: 'controller', seed: 0 }], ownerPid: 111 });
    const isAlive = (pid: number) => pid === 222;
    expect(store.markOrphanedTuning(isAlive)).toEqual({ controllers: ['dead'], sessions: [session] });
    expect(store.getController('dead')).toMatchObject({ status: 'stopped', episodesDone: 1, error: 'geNNerator stopped while the controller was learning (process 111 is gone)' });
    expect(store.getController('alive')).toMatchObject({ status: 'learning' });
    expect(store.getTuneSession(session)).toMatchObject({ status: 'stopped', error: expect.stringContaining('process 111 is gone') });
    expect(store.markOrphanedTuning(isAlive)).toEqual({ controllers: [], sessions: [] });
  });

  it('deletes a controller with its episodes and sessions', () => {
    const store = openStore();
    store.createController({ name: 'gone', settings, tasks: [task], ownerPid: process.pid });
    store.recordControllerEpisode('gone', { episode: 1, task: task.name, outcome: outcome(0.7, 1), checkpoint: {} });
    store.createTuneSession({ controller: 'gone', task, schedules: [{ schedule: 'controller', seed: 0 }], ownerPid: process.pid });
    expect(store.deleteController('gone')).toBe(true);
    expect(store.deleteController('gone')).toBe(false);
    for (const table of ['controllers', 'controller_episodes', 'tune_sessions', 'tune_schedules']) {
      expect(query(store.path, `SELECT count(*) AS n FROM ${table}`), table).toEqual([{ n: 0 }]);
    }
  });
});

describe('tuning sessions', () => {
  it('plans the schedules in order, records each outcome as it finishes, and lists sessions newest first', () => {
    const store = openStore();
    store.createController({ name: 'ctl', settings, tasks: [task], ownerPid: process.pid });
    const planned = [
      { schedule: 'controller', seed: 0 },
      { schedule: 'constant', seed: 0 },
      { schedule: 'cosine', seed: 0 },
    ] as const;
    const id = store.createTuneSession({ controller: 'ctl', task, schedules: [...planned], ownerPid: process.pid });
    expect(store.getTuneSession(id)).toMatchObject({ id, controller: 'ctl', task, status: 'running', schedules: [...planned] });

    store.recordTuneSchedule(id, { schedule: 'constant', seed: 0, outcome: { ...outcome(0.8, 0, 0), testAccuracy: 0.79 } });
    store.recordTuneSchedule(id, { schedule: 'controller', seed: 0, outcome: { ...outcome(0.82, 2, 2), testAccuracy: 0.81 } });
    // Not planned: added after the others.
    store.recordTuneSchedule(id, { schedule: 'step', seed: 1, outcome: { ...outcome(0.78, 0, 0), testAccuracy: 0.77 } });
    store.finishTuneSession(id, 'completed');

    const session = store.getTuneSession(id)!;
    expect(session.status).toBe('completed');
    expect(session.schedules.map((s) => [s.schedule, s.seed, s.outcome?.testAccuracy])).toEqual([
      ['controller', 0, 0.81],
      ['constant', 0, 0.79],
      ['cosine', 0, undefined],
      ['step', 1, 0.77],
    ]);
    expect(session.schedules[0].outcome!.decisions.filter((d) => d.intervened)).toHaveLength(2);

    const second = store.createTuneSession({ controller: 'ctl', task: other, schedules: [{ schedule: 'controller', seed: 0 }], ownerPid: process.pid });
    store.finishTuneSession(second, 'stopped', 'stopped by Ctrl-C');
    expect(store.listTuneSessions().map((s) => [s.id, s.status, s.error])).toEqual([
      [second, 'stopped', 'stopped by Ctrl-C'],
      [id, 'completed', undefined],
    ]);
    expect(store.listTuneSessions({ controller: 'CTL', limit: 1 }).map((s) => s.id)).toEqual([second]);
  });

  it('refuses an unknown controller or session and a schedule planned twice, writing nothing', () => {
    const store = openStore();
    store.createController({ name: 'ctl', settings, tasks: [task], ownerPid: process.pid });
    expect(() => store.createTuneSession({ controller: 'nope', task, schedules: [], ownerPid: process.pid })).toThrow('there is no controller named "nope" in the history');
    expect(() =>
      store.createTuneSession({
        controller: 'ctl',
        task,
        schedules: [
          { schedule: 'cosine', seed: 1 },
          { schedule: 'cosine', seed: 1 },
        ],
        ownerPid: process.pid,
      }),
    ).toThrow('schedule cosine with seed 1 is planned twice');
    expect(store.listTuneSessions()).toEqual([]);
    expect(() => store.recordTuneSchedule(99, { schedule: 'controller', seed: 0, outcome: outcome(0.5, 0) })).toThrow('there is no tuning session 99 in the history');
    expect(() => store.finishTuneSession(99, 'completed')).toThrow(HistoryStoreError);
    expect(() => store.listTuneSessions({ controller: 'nope' })).toThrow(/no controller named "nope"/);
  });
});

describe('migration 9', () => {
  it('adds the tuning tables to a version-8 history, keeping its runs', () => {
    const file = path.join(tempDir(), 'v8.sqlite');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    migrate(db, 8);
    db.prepare(`INSERT INTO action_sets (name, spec, builtin, created_at, updated_at) VALUES ('kept', '{"name":"kept","nodes":[]}', 0, 1, 1)`).run();
    db.close();

    const store = openStore(file);
    expect(query(file, 'PRAGMA user_version')).toEqual([{ user_version: LATEST_VERSION }]);
    expect(LATEST_VERSION).toBeGreaterThanOrEqual(9);
    expect(store.listActionSets().map((s) => s.name)).toEqual(['kept']);
    expect(store.listControllers()).toEqual([]);
    store.createController({ name: 'new', settings, tasks: [task], ownerPid: process.pid });
    expect(query(file, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });
});
