/**
 * What bench:ppo and bench:dqn share: the command-line flags, and training one agent per seed on
 * CartPole-v1 with its returns, greedy evaluation and speed, printed as one JSON object.
 * best_mean_last100 is the highest mean of the last 100 training episodes seen at any update, and
 * solved_at_step the first step at which it reached 475 (gym's "solved" for CartPole-v1; null if never).
 * solved_greedy and solved_training count the seeds that reached 475 on either measure ("k/n").
 */
import { evaluatePolicy, type Policy } from '../../src/engine/agents/common/evaluation';
import { CartPoleEnv } from '../../src/engine/envs/cartpole';

/** A positive number flag (`--name N`), floored. */
export function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return Math.floor(v);
}

/** What the bench needs of an agent. */
export interface CartPoleLearner extends Policy {
  numTimesteps: number;
  learn(steps: number, options?: { onUpdate?: () => void }): Promise<unknown>;
  episodeReturns100(): number[];
}

/** CartPole-v1's reward threshold: a mean of 475 over 100 consecutive episodes solves it. */
const SOLVED = 475;

/** The first seed (`--first-seed N`, default 0): seeds can be split over processes. */
function firstSeed(): number {
  const i = process.argv.indexOf('--first-seed');
  const v = i < 0 ? 0 : Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error('--first-seed needs a whole number ≥ 0');
  return v;
}

/** Trains `make(seed)` for `steps` on each seed in turn (from --first-seed) and prints the results. */
export async function benchCartPole(make: (seed: number) => CartPoleLearner, nSeeds: number, steps: number): Promise<void> {
  const seeds: { seed: number; mean_return_last100: number; best_mean_last100: number | null; solved_at_step: number | null; eval_mean_return: number; steps_per_s: number; seconds: number }[] = [];
  let totalSteps = 0;
  let totalSeconds = 0;
  const first = firstSeed();
  for (let seed = first; seed < first + nSeeds; seed++) {
    const agent = make(seed);
    const start = performance.now();
    let best: number | null = null;
    let solvedAt: number | null = null;
    await agent.learn(steps, {
      onUpdate: () => {
        const window = agent.episodeReturns100();
        if (window.length < 100) return;
        const mean = window.reduce((a, b) => a + b, 0) / window.length;
        best = Math.max(best ?? mean, mean);
        if (mean >= SOLVED && solvedAt === null) solvedAt = agent.numTimesteps;
      },
    });
    const seconds = (performance.now() - start) / 1000;
    totalSteps += agent.numTimesteps;
    totalSeconds += seconds;
    const returns = agent.episodeReturns100();
    const evaluation = await evaluatePolicy(agent, new CartPoleEnv(), 100, { seed: 10_000 + seed });
    seeds.push({
      seed,
      mean_return_last100: Number((returns.reduce((a, b) => a + b, 0) / Math.max(1, returns.length)).toFixed(2)),
      best_mean_last100: best === null ? null : Number((best as number).toFixed(2)),
      solved_at_step: solvedAt,
      eval_mean_return: Number(evaluation.mean.toFixed(2)),
      steps_per_s: Math.round(agent.numTimesteps / seconds),
      seconds: Math.round(seconds),
    });
  }
  const count = (solved: (s: (typeof seeds)[number]) => boolean) => `${seeds.filter(solved).length}/${seeds.length}`;
  console.log(
    JSON.stringify({
      env: 'CartPole-v1',
      steps,
      seeds,
      // How many seeds reached 475: the greedy policy at the end, and the training episodes at any update.
      solved_greedy: count((s) => s.eval_mean_return >= SOLVED),
      solved_training: count((s) => s.solved_at_step !== null),
      steps_per_s: Math.round(totalSteps / totalSeconds),
    }),
  );
}
