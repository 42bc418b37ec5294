/**
 * Stable-Baselines3's identity test environments (stable_baselines3/common/envs/identity_env.py)
 * and sb3-contrib's InvalidActionEnvDiscrete: the observation is the state to repeat, reward 1 when
 * the action equals it, 0 otherwise; a new state is drawn after every step; episodes end after
 * `epLength` steps (reported, as SB3 does, as both terminated and truncated — so no bootstrap).
 */
import { createRng, type Rng } from '../random';
import { Discrete, MultiDiscrete } from './spaces';
import type { Env, ResetResult, StepResult } from './types';

export interface IdentityOptions {
  epLength?: number;
  seed?: number;
}

abstract class IdentityBase<S extends Discrete | MultiDiscrete, T extends number | number[]> {
  abstract readonly actionSpace: S;
  abstract readonly observationSpace: S;
  state!: T;
  currentStep = 0;
  readonly epLength: number;
  protected rng: Rng;

  constructor(options: IdentityOptions) {
    this.epLength = options.epLength ?? 100;
    this.rng = createRng(options.seed ?? 0);
  }

  protected abstract reward(action: T): number;
  protected chooseNextState(): void {
    this.state = this.actionSpace.sample(this.rng) as T;
  }

  reset(seed?: number): ResetResult<T> {
    if (seed !== undefined) this.rng = createRng(seed);
    this.currentStep = 0;
    this.chooseNextState();
    return { obs: this.state, info: {} };
  }

  step(action: T): StepResult<T> {
    const reward = this.reward(action);
    this.chooseNextState();
    this.currentStep += 1;
    const done = this.currentStep >= this.epLength;
    return { obs: this.state, reward, terminated: done, truncated: done, info: {} };
  }

  render(): { state: T; currentStep: number } {
    return { state: this.state, currentStep: this.currentStep };
  }
}

/** IdentityEnv(dim): Discrete(dim) observation and action. */
export class IdentityEnv extends IdentityBase<Discrete, number> implements Env<Discrete, Discrete> {
  readonly actionSpace: Discrete;
  readonly observationSpace: Discrete;
  constructor(dim = 1, options: IdentityOptions = {}) {
    super(options);
    this.actionSpace = new Discrete(dim);
    this.observationSpace = this.actionSpace;
    this.reset();
  }
  protected reward(action: number): number {
    return action === this.state ? 1 : 0;
  }
}

/** IdentityEnvMultiDiscrete(dim): MultiDiscrete([dim, dim]); reward 1 only if both slots match. */
export class IdentityEnvMultiDiscrete extends IdentityBase<MultiDiscrete, number[]> implements Env<MultiDiscrete, MultiDiscrete> {
  readonly actionSpace: MultiDiscrete;
  readonly observationSpace: MultiDiscrete;
  constructor(dim = 1, options: IdentityOptions = {}) {
    super(options);
    this.actionSpace = new MultiDiscrete([dim, dim]);
    this.observationSpace = this.actionSpace;
    this.reset();
  }
  protected reward(action: number[]): number {
    return action.length === this.state.length && action.every((a, i) => a === this.state[i]) ? 1 : 0;
  }
}

/**
 * sb3-contrib's InvalidActionEnvDiscrete: IdentityEnv(dim) where, after each new state,
 * `nInvalidActions` actions other than the correct one are drawn (without replacement) and masked.
 */
export class InvalidActionEnvDiscrete extends IdentityEnv {
  readonly nInvalidActions: number;
  private invalid = new Set<number>();
  constructor(dim = 70, nInvalidActions = 55, options: IdentityOptions = {}) {
    super(dim, options);
    if (nInvalidActions >= dim) throw new Error('InvalidActionEnvDiscrete: n_invalid_actions must be < dim');
    this.nInvalidActions = nInvalidActions;
    this.reset();
  }
  protected override chooseNextState(): void {
    super.chooseNextState();
    if (this.nInvalidActions === undefined) return; // during the base constructor
    const candidates: number[] = [];
    for (let a = 0; a < this.actionSpace.n; a++) if (a !== this.state) candidates.push(a);
    // Partial Fisher–Yates: the first nInvalidActions of a random permutation.
    for (let i = 0; i < this.nInvalidActions; i++) {
      const j = i + this.rng.int(candidates.length - i);
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
    }
    this.invalid = new Set(candidates.slice(0, this.nInvalidActions));
  }
  actionMasks(): boolean[] {
    const masks: boolean[] = [];
    for (let a = 0; a < this.actionSpace.n; a++) masks.push(!this.invalid.has(a));
    return masks;
  }
}
