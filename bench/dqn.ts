/**
 * DQN on CartPole-v1 with the rl-baselines3-zoo hyperparameters (hyperparams/dqn.yml, CartPole-v1):
 * learning_rate 2.3e-3, batch_size 64, buffer_size 100000, learning_starts 1000, gamma 0.99,
 * target_update_interval 10, train_freq 256, gradient_steps 128, exploration_fraction 0.16,
 * exploration_final_eps 0.04, net_arch [256, 256], 5e4 timesteps, one env.
 *
 * `npm run -s bench:dqn [-- --seeds N --first-seed N --steps N]` prints one JSON object:
 *   {"env":"CartPole-v1","steps":50000,"seeds":[{"seed":0,"mean_return_last100":x,...},...],"solved_greedy":"k/n","solved_training":"k/n","steps_per_s":y}
 * mean_return_last100 is the mean return of the last 100 training episodes (SB3's ep_rew_mean, with
 * exploration at epsilon 0.04), best_mean_last100 its highest value at any training and solved_at_step
 * the first step where it reached 475 (CartPole-v1's "solved"); eval_mean_return is the greedy policy's mean over 100 fresh
 * episodes; solved_greedy and solved_training count the seeds where either reached 475. steps_per_s counts environment steps per second including training, over all seeds
 * (one process, run in sequence).
 */
import { DQN } from '../src/engine/agents/dqn';
import { CartPoleEnv } from '../src/engine/envs/cartpole';
import { benchCartPole, flag } from './support/cartpole';

await benchCartPole(
  (seed) =>
    new DQN(new CartPoleEnv(), {
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
    }),
  flag('seeds', 3),
  flag('steps', 50_000),
);
