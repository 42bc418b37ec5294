/**
 * CartPole-v1, ported from gymnasium's classic_control/cartpole.py: same constants, Euler
 * integration, termination at |x| > 2.4 or |θ| > 12°, reward 1 on every step including the
 * terminating one, reset uniform(−0.05, 0.05) on the four state variables, and (as the registered
 * v1's TimeLimit wrapper) truncation after 500 steps. The state is kept in float64; observations
 * are float32, as gymnasium returns them.
 */
import { createRng, type Rng } from '../random';
import { Box, Discrete } from './spaces';
import type { Env, ResetResult, StepResult } from './types';

export const CARTPOLE = {
  gravity: 9.8,
  masscart: 1.0,
  masspole: 0.1,
  totalMass: 1.1,
  length: 0.5,
  polemassLength: 0.05,
  forceMag: 10.0,
  tau: 0.02,
  thetaThresholdRadians: (12 * 2 * Math.PI) / 360,
  xThreshold: 2.4,
  maxEpisodeSteps: 500,
} as const;

export interface CartPoleOptions {
  seed?: number;
  /** TimeLimit; 500 for CartPole-v1. */
  maxEpisodeSteps?: number;
}

export class CartPoleEnv implements Env<Box, Discrete> {
  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(2);
  /** [x, x_dot, theta, theta_dot] in float64. */
  state: [number, number, number, number] = [0, 0, 0, 0];
  readonly maxEpisodeSteps: number;
  private rng: Rng;
  private elapsed = 0;
  private stepsBeyondTerminated: number | null = null;

  constructor(options: CartPoleOptions = {}) {
    const c = CARTPOLE;
    const high = [c.xThreshold * 2, Infinity, c.thetaThresholdRadians * 2, Infinity];
    this.observationSpace = new Box(
      high.map((h) => -h),
      high,
    );
    this.maxEpisodeSteps = options.maxEpisodeSteps ?? c.maxEpisodeSteps;
    this.rng = createRng(options.seed ?? 0);
  }

  reset(seed?: number): ResetResult<Float32Array> {
    if (seed !== undefined) this.rng = createRng(seed);
    for (let i = 0; i < 4; i++) this.state[i] = -0.05 + 0.1 * this.rng.next();
    this.elapsed = 0;
    this.stepsBeyondTerminated = null;
    return { obs: Float32Array.from(this.state), info: {} };
  }

  /** Sets the exact state (tests). */
  setState(state: readonly number[]): void {
    this.state = [state[0], state[1], state[2], state[3]];
    this.elapsed = 0;
    this.stepsBeyondTerminated = null;
  }

  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1) throw new Error(`CartPole: invalid action ${action}`);
    const c = CARTPOLE;
    let [x, xDot, theta, thetaDot] = this.state;
    const force = action === 1 ? c.forceMag : -c.forceMag;
    const costheta = Math.cos(theta);
    const sintheta = Math.sin(theta);
    const temp = (force + c.polemassLength * thetaDot * thetaDot * sintheta) / c.totalMass;
    const thetaacc = (c.gravity * sintheta - costheta * temp) / (c.length * (4.0 / 3.0 - (c.masspole * costheta * costheta) / c.totalMass));
    const xacc = temp - (c.polemassLength * thetaacc * costheta) / c.totalMass;
    // Euler
    x = x + c.tau * xDot;
    xDot = xDot + c.tau * xacc;
    theta = theta + c.tau * thetaDot;
    thetaDot = thetaDot + c.tau * thetaacc;
    this.state = [x, xDot, theta, thetaDot];

    const terminated = x < -c.xThreshold || x > c.xThreshold || theta < -c.thetaThresholdRadians || theta > c.thetaThresholdRadians;
    let reward: number;
    if (!terminated) reward = 1.0;
    else if (this.stepsBeyondTerminated === null) {
      this.stepsBeyondTerminated = 0;
      reward = 1.0;
    } else {
      this.stepsBeyondTerminated += 1;
      reward = 0.0;
    }
    this.elapsed += 1;
    const truncated = this.elapsed >= this.maxEpisodeSteps;
    return { obs: Float32Array.from(this.state), reward, terminated, truncated, info: {} };
  }

  render(): { state: number[]; elapsedSteps: number } {
    return { state: [...this.state], elapsedSteps: this.elapsed };
  }
}
