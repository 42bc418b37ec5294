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
import { PPO } from '../src/engine/agents/ppo';
import { CartPoleEnv } from '../src/engine/envs/cartpole';
import { benchCartPole, flag } from './support/cartpole';

const N_ENVS = 8;

await benchCartPole(
  (seed) =>
    new PPO(
      Array.from({ length: N_ENVS }, () => new CartPoleEnv()),
      {
        nSteps: 32,
        batchSize: 256,
        gaeLambda: 0.8,
        gamma: 0.98,
        nEpochs: 20,
        entCoef: 0,
        learningRate: { kind: 'linear', initial: 1e-3 },
        clipRange: { kind: 'linear', initial: 0.2 },
        seed,
      },
    ),
  flag('seeds', 5),
  flag('steps', 100_000),
);
