/**
 * PPO's envs side by side (SB3's VecEnv, without auto-reset): their shared spaces, flat
 * observations and masks, and one step of each. PPO's rollout collection drives it.
 */
import { actionNvec, flattenObservation } from '../../envs/spaces';
import { isPromiseLike, type StepResult } from '../../envs/types';
import type { AnyEnv, PPOSpec } from './types';

export class VecEnv {
  readonly specs: PPOSpec[];
  readonly n: number;
  readonly obsDim: number;
  /** Values per action slot. */
  readonly nvec: number[];
  /** Mask entries per env: sum(nvec). */
  readonly actDim: number;

  constructor(envs: PPOSpec | PPOSpec[]) {
    this.specs = Array.isArray(envs) ? envs : [envs];
    if (this.specs.length === 0) throw new Error('PPO needs at least one env');
    this.n = this.specs.length;
    const env0 = this.specs[0];
    this.obsDim = env0.observationSpace.flatDim;
    this.nvec = actionNvec(env0.actionSpace);
    this.actDim = this.nvec.reduce((a, b) => a + b, 0);
    for (const e of this.specs)
      if (e.observationSpace.flatDim !== this.obsDim || actionNvec(e.actionSpace).join() !== this.nvec.join()) throw new Error('PPO: all envs must share their spaces');
  }

  /** The envs learn() steps: whole Envs, not just their spaces. */
  stepped(): AnyEnv[] {
    if (this.specs.some((env) => typeof (env as Partial<AnyEnv>).step !== 'function')) {
      throw new Error('learn() needs environments to step; this PPO was given only spaces (use act() and record())');
    }
    return this.specs as AnyEnv[];
  }

  /** Writes env `env`'s observation `obs`, flattened, at row `row` of `out`. */
  flatten(env: number, obs: unknown, out: Float32Array, row: number): void {
    flattenObservation(this.specs[env].observationSpace, obs, out, row * this.obsDim);
  }

  /** Resets every env (env i with seed + i) and returns their flat observations. */
  reset(seed: number): Float32Array {
    const obs = new Float32Array(this.n * this.obsDim);
    for (let i = 0; i < this.n; i++) this.flatten(i, this.stepped()[i].reset(seed + i).obs, obs, i);
    return obs;
  }

  /** Fills masks (n × actDim) from each env's actionMasks(). */
  readMasks(masks: Uint8Array): void {
    const { actDim } = this;
    for (let i = 0; i < this.n; i++) {
      const m = this.specs[i].actionMasks!();
      if (m.length !== actDim) throw new Error(`actionMasks: expected ${actDim} entries, got ${m.length}`);
      for (let j = 0; j < actDim; j++) masks[i * actDim + j] = m[j] ? 1 : 0;
    }
  }

  /** Env `env`'s action in its own form from the sampled slots (n × slots). */
  toEnvAction(actions: Int32Array, env: number): number | number[] {
    const slots = this.nvec.length;
    if (this.specs[env].actionSpace.kind === 'discrete') return actions[env * slots];
    return Array.from(actions.subarray(env * slots, (env + 1) * slots));
  }

  /** Steps each env in turn with its action (awaiting an env whose step is asynchronous). */
  async step(actions: Int32Array): Promise<StepResult<unknown>[]> {
    const results: StepResult<unknown>[] = [];
    for (let i = 0; i < this.n; i++) {
      const out = this.stepped()[i].step(this.toEnvAction(actions, i) as never);
      results.push(isPromiseLike(out) ? await out : out);
    }
    return results;
  }
}
