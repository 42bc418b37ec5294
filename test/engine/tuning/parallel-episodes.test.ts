/**
 * Parallel learning episodes: copies of the controller collect their steps, the controller learns
 * from the rollouts (as JSON, the way they cross from a worker). Learning from a copy's rollout is
 * learning from the steps themselves; and a controller learned in batches of 4 still finds the
 * planted rule (plateau-trainee.ts).
 */
import { describe, expect, it } from 'vitest';
import { EpisodeRolloutSchema, TuningTaskSchema, type EpisodeRollout } from '../../../src/shared/tuning';
import { Controller, driveEpisode, learnController, type EpisodeRunner, type Steering } from '../../../src/engine/tuning';
import { PlateauTrainee } from './plateau-trainee';

const drive = (seed: number, steering: Steering) => driveEpisode({ trainee: new PlateauTrainee(seed), epochs: 10, decisionsPerEpoch: 1, steering });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** What a worker does with a job, here: a copy collects one episode's steps; the rollout goes through JSON and the contract (the checkpoint's trip through JSON is tested in episode.test.ts). */
async function collect(checkpoint: unknown, seed: number): Promise<EpisodeRollout> {
  const copy = Controller.restore(checkpoint);
  copy.collectSteps(seed);
  const outcome = await drive(seed, { kind: 'controller', controller: copy, learn: true });
  return EpisodeRolloutSchema.parse(JSON.parse(JSON.stringify({ outcome, steps: copy.takeCollected() })));
}

const inProcessRunner: EpisodeRunner = (batch) => Promise.all(batch.map(({ job }) => collect(job.checkpoint, job.seed)));
// learnController needs tasks to name its episodes; the runner above trains the simulated trainee.
const tasks = [TuningTaskSchema.parse({ name: 'plateau', layers: [{ type: 'flatten' }, { type: 'dense', units: 4 }], dataset: 'synthetic', epochs: 10 })];

describe('parallel learning episodes', () => {
  it('learning from a copy’s rollout is learning from its steps: same weights, statistics, threshold and counters', async () => {
    // No update within the six episodes (the copies act with the policy of the start, as the controller does); one after them, drawing alike.
    const settings = { episodes: 6, seed: 2, trainFrequencyMin: 1000, trainFrequencyMax: 1000 };
    const direct = Controller.create(settings);
    const replayed = Controller.create(settings);
    for (let e = 0; e < 6; e++) {
      const rollout = await collect(replayed.checkpoint(), 50 + e);
      direct.ppo.reseed(50 + e);
      const outcome = await drive(50 + e, { kind: 'controller', controller: direct, learn: true });
      expect(rollout.outcome.decisions.map((d) => d.intervened)).toEqual(outcome.decisions.map((d) => d.intervened));
      expect(rollout.steps).toHaveLength(outcome.decisions.length);
      replayed.learnFrom(rollout);
    }
    for (const c of [direct, replayed]) {
      c.ppo.reseed(7);
      expect(c.ppo.updateNow()).toBeDefined();
    }
    expect(direct.interventions).toBeGreaterThan(0);
    const strip = (c: Controller) => {
      const { ppo, ...rest } = c.checkpoint();
      const { rng: _rng, ...weights } = ppo as Record<string, unknown>;
      return { rest, weights };
    };
    // Float32 observations travel as numbers: equal to the last bit, so the weights are too.
    expect(strip(replayed)).toEqual(strip(direct));
  }, 60_000);

  it('in batches of 4 episodes from one checkpoint, a controller still learns the planted rule and beats the constant schedule', async () => {
    const episodes = 300;
    const controller = Controller.create({ episodes, seed: 0, parallelEpisodes: 4 });
    let batches = 0;
    const runner: EpisodeRunner = async (batch, signal) => {
      batches += 1;
      expect(batch.every((b) => b.job.checkpoint === batch[0].job.checkpoint)).toBe(true);
      return inProcessRunner(batch, signal);
    };
    const result = await learnController({ controller, tasks, settings: { episodes, seed: 0 }, episodesDone: 0, loadData: () => Promise.reject(new Error('unused')), parallel: { episodes: 4, run: runner } });
    expect(result).toEqual({ episodesDone: episodes, status: 'completed' });
    expect(batches).toBe(episodes / 4);
    expect(controller.episodes).toBe(episodes);

    const steered: number[] = [];
    const constant: number[] = [];
    const factors: number[] = [];
    for (let seed = 10_000; seed < 10_020; seed++) {
      const outcome = await drive(seed, { kind: 'controller', controller, learn: false });
      steered.push(outcome.finalValidAccuracy);
      constant.push((await drive(seed, { kind: 'schedule', schedule: 'constant' })).finalValidAccuracy);
      factors.push(...outcome.decisions.filter((d) => d.intervened).map((d) => d.change!.lrFactor));
    }
    expect(mean(steered)).toBeGreaterThan(mean(constant) + 0.015);
    expect(factors.length).toBeGreaterThan(0);
    expect(factors.every((f) => f < 1)).toBe(true);
  }, 180_000);

  it('a batch that fails stops the learn with its error; the episodes learned before it stay recorded', async () => {
    const controller = Controller.create({ episodes: 8, seed: 1 });
    const recorded: number[] = [];
    let calls = 0;
    const runner: EpisodeRunner = async (batch, signal) => {
      if (++calls === 2) throw new Error('learning episode 3 (plateau) failed in a worker: out of memory');
      return inProcessRunner(batch, signal);
    };
    await expect(
      learnController({ controller, tasks, settings: { episodes: 8, seed: 1 }, episodesDone: 0, loadData: () => Promise.reject(new Error('unused')), parallel: { episodes: 2, run: runner }, onEpisode: (e) => void recorded.push(e.episode) }),
    ).rejects.toThrow('learning episode 3 (plateau) failed in a worker: out of memory');
    expect(recorded).toEqual([1, 2]);
    expect(controller.episodes).toBe(2);
  });
});
