/**
 * PPO on CartPole-v1 with the rl-baselines3-zoo hyperparameters (hyperparams/ppo.yml, CartPole-v1):
 * n_envs 8, n_steps 32, batch_size 256, gae_lambda 0.8, gamma 0.98, n_epochs 20, ent_coef 0,
 * learning_rate lin_1e-3, clip_range lin_0.2, 1e5 timesteps.
 *
 * `npm run -s bench:ppo [-- --seeds N --steps N]` prints one JSON object:
 *   {"env":"CartPole-v1","steps":100000,"seeds":[{"seed":0,"mean_return_last100":x,...},...],"steps_per_s":y}
 * mean_return_last100 is the mean return of the last 100 training episodes (SB3's ep_rew_mean);
 * eval_mean_return is the deterministic policy's mean over 100 fresh episodes. steps_per_s counts
 * environment steps per second including training, over all seeds (one process, run in sequence).
 */
import { PPO, evaluatePolicy } from '../src/engine/agents/ppo';
import { CartPoleEnv } from '../src/engine/envs/cartpole';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return Math.floor(v);
}

const nSeeds = flag('seeds', 5);
const steps = flag('steps', 100_000);
const N_ENVS = 8;

const seeds: { seed: number; mean_return_last100: number; eval_mean_return: number; steps_per_s: number }[] = [];
let totalSteps = 0;
let totalSeconds = 0;
for (let seed = 0; seed < nSeeds; seed++) {
  const envs = Array.from({ length: N_ENVS }, () => new CartPoleEnv());
  const ppo = new PPO(envs, {
    nSteps: 32,
    batchSize: 256,
    gaeLambda: 0.8,
    gamma: 0.98,
    nEpochs: 20,
    entCoef: 0,
    learningRate: { kind: 'linear', initial: 1e-3 },
    clipRange: { kind: 'linear', initial: 0.2 },
    seed,
  });
  const start = performance.now();
  await ppo.learn(steps);
  const seconds = (performance.now() - start) / 1000;
  totalSteps += ppo.numTimesteps;
  totalSeconds += seconds;
  const returns = ppo.episodeReturns100();
  const evaluation = await evaluatePolicy(ppo, new CartPoleEnv(), 100, { seed: 10_000 + seed });
  seeds.push({
    seed,
    mean_return_last100: Number((returns.reduce((a, b) => a + b, 0) / Math.max(1, returns.length)).toFixed(2)),
    eval_mean_return: Number(evaluation.mean.toFixed(2)),
    steps_per_s: Math.round(ppo.numTimesteps / seconds),
  });
}
console.log(JSON.stringify({ env: 'CartPole-v1', steps, seeds, steps_per_s: Math.round(totalSteps / totalSeconds) }));
