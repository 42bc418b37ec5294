/**
 * Early stopping in the search loop: every epoch goes to the pruner, its verdict stops the
 * candidate, the pruned outcome is reported and paid as such, is never reused as a full result, and
 * a resumed run prunes exactly as an uninterrupted one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SearchEvent } from '../../../src/shared/events';
import { parseRunConfig } from '../../../src/shared/run-config';
import { prepareRun } from '../../../src/engine/run/prepare-run';
import type { EvaluationJob } from '../../../src/engine/evaluators/types';
import { createPruner, type Pruner } from '../../../src/engine/search/pruning';
import { ReplayCache } from '../../../src/engine/search/replay-cache';
import type { SearchLoopCheckpoint } from '../../../src/engine/search/search-loop';
import { CurveEvaluator } from '../../support/fake-evaluator';
import { loopOver, NETWORKS, poolOf, ScriptedAgent } from '../../support/tiny-search';

type Finished = Extract<SearchEvent, { type: 'candidate_finished' }>;

/**
 * Validation accuracy per epoch of each of NETWORKS (4 epochs). With the median rule (warm-up 5),
 * by hand: 0–4 complete; medians at epochs 1–3 are then 0.50, 0.60, 0.70. 5 stops at epoch 1
 * (0.45), 6 at epoch 2 (0.58), 7 completes. Six completed: medians 0.525, 0.61, 0.71, so 8 stops at
 * epoch 3 (0.705) and 9 at epoch 1 (0.2).
 */
const CURVES = [
  [0.5, 0.6, 0.7, 0.75],
  [0.4, 0.55, 0.65, 0.7],
  [0.6, 0.7, 0.75, 0.8],
  [0.3, 0.45, 0.5, 0.55],
  [0.55, 0.62, 0.72, 0.78],
  [0.45, 0.9, 0.9, 0.9],
  [0.52, 0.58, 0.9, 0.9],
  [0.65, 0.72, 0.8, 0.85],
  [0.53, 0.65, 0.705, 0.9],
  [0.2, 0.9, 0.9, 0.9],
];
const EPOCHS = 4;
/** Epochs each candidate reaches under the median rule (by hand, above). */
const MEDIAN_REACHED = [4, 4, 4, 4, 4, 1, 2, 4, 3, 1];

const curveOf = (job: EvaluationJob) => CURVES[NETWORKS.findIndex((n) => n.join() === job.action.join())];

interface Outcome {
  index: number;
  status: string;
  reached?: number;
  signal: number;
  reward: number;
  cached: boolean;
}

async function search(options: {
  pruner?: Pruner;
  evaluator?: CurveEvaluator;
  workers?: number;
  agent?: ScriptedAgent;
  budget?: number;
  resumeFrom?: SearchLoopCheckpoint;
  cache?: ReplayCache;
  stopAfter?: number;
}) {
  const evaluator = options.evaluator ?? new CurveEvaluator(curveOf, EPOCHS);
  const finished: Outcome[] = [];
  const epochsDone = new Map<number, number>();
  let checkpoint: SearchLoopCheckpoint | undefined;
  const abort = new AbortController();
  const loop = loopOver(options.agent ?? new ScriptedAgent(), poolOf(evaluator, options.workers ?? 1), {
    budget: { evaluations: options.budget ?? CURVES.length },
    pruner: options.pruner,
    resumeFrom: options.resumeFrom,
    cache: options.cache,
    onEvent: (e: SearchEvent, extras) => {
      if (e.type === 'epoch_done') epochsDone.set(e.index, (epochsDone.get(e.index) ?? 0) + 1);
      if (e.type !== 'candidate_finished') return;
      const f = e as Finished;
      finished.push({ index: f.index, status: f.status, reached: f.epochsReached, signal: f.signal, reward: f.reward, cached: f.cached });
      checkpoint = JSON.parse(JSON.stringify(extras!.checkpoint)) as SearchLoopCheckpoint;
      if (f.index === options.stopAfter) abort.abort();
    },
  });
  const summary = await loop.run(abort.signal);
  return { summary, finished, epochsDone, evaluator, checkpoint: checkpoint! };
}

const byIndex = (outcomes: Outcome[]) => [...outcomes].sort((a, b) => a.index - b.index);

describe('a search with the median stopping rule', () => {
  it('stops candidates below the median early, reports them pruned at the epoch they reached, and pays them by their last metric', async () => {
    const { summary, finished, epochsDone, evaluator } = await search({ pruner: createPruner('median', EPOCHS) });
    const outcomes = byIndex(finished);
    expect(outcomes.map((o) => o.reached)).toEqual(MEDIAN_REACHED);
    expect(outcomes.map((o) => o.status)).toEqual(MEDIAN_REACHED.map((r) => (r < EPOCHS ? 'pruned' : 'completed')));
    // It trained only as far as it reached, and streamed those epochs.
    expect(NETWORKS.map((_, i) => evaluator.trained.get(i))).toEqual(MEDIAN_REACHED);
    expect(NETWORKS.map((_, i) => epochsDone.get(i))).toEqual(MEDIAN_REACHED);
    // 31 of 40 epochs.
    expect(MEDIAN_REACHED.reduce((a, b) => a + b, 0)).toBe(31);
    // Signal and reward (signal + 1 for a network that builds) come from the last epoch trained.
    for (const o of outcomes) {
      expect(o.signal).toBe(CURVES[o.index][o.reached! - 1]);
      expect(o.reward).toBeCloseTo(o.signal + 1, 12);
    }
    // A pruned candidate is never the best, even with a higher signal than some completed ones.
    expect(summary.best?.index).toBe(7);
    expect(summary.evaluations).toBe(10);
  });

  it('with the verdict arriving an epoch late (another process), a candidate stops one epoch later and is paid by the epoch it reached', async () => {
    const late = await search({ pruner: createPruner('median', EPOCHS), evaluator: new CurveEvaluator(curveOf, EPOCHS, 1) });
    const outcomes = byIndex(late.finished);
    expect(outcomes.map((o) => o.reached)).toEqual([4, 4, 4, 4, 4, 2, 3, 4, 4, 2]);
    expect(outcomes[5]).toMatchObject({ status: 'pruned', reached: 2, signal: 0.9, reward: 1.9 });
    // Candidate 8, stopped at epoch 3, had trained its last epoch when the verdict arrived: it completed.
    expect(outcomes[8]).toMatchObject({ status: 'completed', reached: 4 });
  });

  it('with two candidates in flight, still stops every candidate below the median of those completed before', async () => {
    const { finished, evaluator } = await search({ pruner: createPruner('median', EPOCHS), workers: 2 });
    expect(finished).toHaveLength(10);
    const trained = [...evaluator.trained.values()].reduce((a, b) => a + b, 0);
    expect(trained).toBeLessThan(40);
    for (const o of finished) expect(o.status === 'pruned').toBe(o.reached! < EPOCHS);
  });
});

describe('pruned results and the replay cache', () => {
  /** Stops the listed candidate indices after their first epoch. */
  const scripted = (indices: number[]): Pruner => ({
    rule: 'median',
    report: (index) => (indices.includes(index) ? 'prune' : 'continue'),
    finish: () => undefined,
    checkpoint: () => ({ rule: 'median', completed: [] }),
  });
  const same = (n: number) => new ScriptedAgent(0, Array.from({ length: n }, () => NETWORKS[2]));

  it('an architecture pruned before is trained again when proposed again; its completed result is then reused', async () => {
    const { finished, evaluator } = await search({ pruner: scripted([0]), agent: same(3), budget: 3 });
    expect(finished.map((o) => [o.index, o.status, o.reached, o.cached])).toEqual([
      [0, 'pruned', 1, false],
      [1, 'completed', 4, false],
      [2, 'completed', 4, true],
    ]);
    expect(evaluator.calls).toBe(2);
  });

  it('a duplicate waiting for an evaluation in flight that gets pruned is evaluated itself', async () => {
    const { finished, evaluator } = await search({ pruner: scripted([0]), agent: same(3), budget: 3, workers: 2 });
    expect(byIndex(finished).map((o) => [o.index, o.status, o.cached])).toEqual([
      [0, 'pruned', false],
      [1, 'completed', false],
      [2, 'completed', true],
    ]);
    expect(evaluator.calls).toBe(2);
  });

  it('a pruned outcome from before the run is not served', async () => {
    const cache = new ReplayCache();
    const hash = 'pruned-before';
    cache.preload([{ hash, status: 'pruned', signal: 0.9, epochs: [] }]);
    expect(cache.lookup(hash)).toBeUndefined();
    cache.remember({ hash, status: 'pruned', signal: 0.9, epochs: [], cached: false });
    expect(cache.lookup(hash)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('resuming a pruned search', () => {
  it.each(['median', 'asha'] as const)('%s: a run stopped after any candidate and resumed prunes exactly as the uninterrupted run', async (rule) => {
    const whole = await search({ pruner: createPruner(rule, EPOCHS) });
    expect(whole.finished.some((o) => o.status === 'pruned')).toBe(true);
    for (const stopAfter of [4, 6, 8]) {
      const first = await search({ pruner: createPruner(rule, EPOCHS), stopAfter });
      const { checkpoint } = first;
      expect(checkpoint.pruner).toMatchObject({ rule });
      const rest = await search({
        pruner: createPruner(rule, EPOCHS, checkpoint.pruner),
        agent: new ScriptedAgent((checkpoint.agent as { next: number }).next),
        resumeFrom: checkpoint,
      });
      expect([...first.finished, ...rest.finished]).toEqual(whole.finished);
    }
  });

  it('without its state, the resumed pruner would decide otherwise (so the checkpoint is what keeps the decisions)', async () => {
    const whole = await search({ pruner: createPruner('median', EPOCHS) });
    const first = await search({ pruner: createPruner('median', EPOCHS), stopAfter: 6 });
    const forgetful = await search({
      pruner: createPruner('median', EPOCHS),
      agent: new ScriptedAgent(7),
      resumeFrom: first.checkpoint,
    });
    expect([...first.finished, ...forgetful.finished]).not.toEqual(whole.finished);
    // A fresh pruner warms up again: candidates 7–9 all complete.
    expect(forgetful.finished.map((o) => o.status)).toEqual(['completed', 'completed', 'completed']);
  });
});

describe('a training run prepared with prune: asha', () => {
  it('stops candidates at a rung, with the curve they reached, and checkpoints the pruner', async () => {
    const config = parseRunConfig({
      evaluator: 'training',
      strategy: 'random',
      budget: 8,
      seed: 3,
      backend: 'wasm',
      prune: 'asha',
      dataset: 'synthetic',
      subset: 200,
      training: { epochs: 3, batchSize: 50 },
      actionSet: JSON.parse(readFileSync('resources/action-sets/mlp.json', 'utf8')),
    });
    const prepared = await prepareRun({ runId: 'r', config, budget: 8 });
    const epochs = new Map<number, number[]>();
    const finished: Finished[] = [];
    let checkpoint: SearchLoopCheckpoint | undefined;
    await prepared
      .start((e, extras) => {
        if (e.type === 'epoch_done') epochs.set(e.index, [...(epochs.get(e.index) ?? []), e.metrics.validAccuracy]);
        if (e.type === 'candidate_finished') {
          finished.push(e);
          checkpoint = extras?.checkpoint;
        }
      })
      .run();
    const fresh = finished.filter((e) => !e.cached);
    const pruned = fresh.filter((e) => e.status === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const e of fresh) {
      const curve = epochs.get(e.index)!;
      // ASHA's only rung below epoch 3 is epoch 1.
      expect(e.epochsReached).toBe(e.status === 'pruned' ? 1 : 3);
      expect(curve).toHaveLength(e.epochsReached!);
      expect(e.signal).toBe(curve.at(-1));
      expect(e.testAccuracy === undefined).toBe(e.status === 'pruned');
    }
    expect(checkpoint?.pruner).toMatchObject({ rule: 'asha' });
  }, 120_000);
});
