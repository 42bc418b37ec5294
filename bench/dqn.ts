/**
 * DQN on CartPole-v1 with the rl-baselines3-zoo hyperparameters (hyperparams/dqn.yml, CartPole-v1):
 * learning_rate 2.3e-3, batch_size 64, buffer_size 100000, learning_starts 1000, gamma 0.99,
 * target_update_interval 10, train_freq 256, gradient_steps 128, exploration_fraction 0.16,
 * exploration_final_eps 0.04, net_arch [256, 256], 5e4 timesteps, one env.
 *
 * `npm run -s bench:dqn [-- --seeds N --steps N]` prints one JSON object:
 *   {"env":"CartPole-v1","steps":50000,"seeds":[{"seed":0,"mean_return_last100":x,...},...],"steps_per_s":y}
 * mean_return_last100 is the mean return of the last 100 training episodes (SB3's ep_rew_mean, with
 * exploration at epsilon 0.04); eval_mean_return is the greedy policy's mean over 100 fresh
 * episodes. steps_per_s counts environment steps per second including training, over all seeds
 * (one process, run in sequence).
 */
import { DQN } from '../src/engine/agents/dqn';
import { evaluatePolicy } from '../src/engine/agents/common/evaluation';
import { CartPoleEnv } from '../src/engine/envs/cartpole';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return Math.floor(v);
}

const nSeeds = flag('seeds', 3);
const steps = flag('steps', 50_000);

const seeds: { seed: number; mean_return_last100: number; eval_mean_return: number; steps_per_s: number; seconds: number }[] = [];
let totalSteps = 0;
let totalSeconds = 0;
for (let seed = 0; seed < nSeeds; seed++) {
  const dqn = new DQN(new CartPoleEnv(), {
    learningRate: 2.3e-3,
    batchSize: 64,
    bufferSize: 100_000,
    learningStarts: 1000,
    gamma: 0.99,
    targetUpdateInterval: 10,
    trainFreq: 256,
    gradientSteps: 128,
    explorationFraction: 0.16,
    explorationFinalEps: 0.04,
    netArch: [256, 256],
    seed,
  });
  const start = performance.now();
  await dqn.learn(steps);
  const seconds = (performance.now() - start) / 1000;
  totalSteps += dqn.numTimesteps;
  totalSeconds += seconds;
  const returns = dqn.episodeReturns100();
  const evaluation = await evaluatePolicy(dqn, new CartPoleEnv(), 100, { seed: 10_000 + seed });
  seeds.push({
    seed,
    mean_return_last100: Number((returns.reduce((a, b) => a + b, 0) / Math.max(1, returns.length)).toFixed(2)),
    eval_mean_return: Number(evaluation.mean.toFixed(2)),
    steps_per_s: Math.round(dqn.numTimesteps / seconds),
    seconds: Math.round(seconds),
  });
}
console.log(JSON.stringify({ env: 'CartPole-v1', steps, seeds, steps_per_s: Math.round(totalSteps / totalSeconds) }));
