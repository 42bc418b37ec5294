/**
 * The gymnasium-like environment interface the agents drive. `step` may be asynchronous (the NAS
 * environment trains a network per step); agents always await it. Observations are flattened with
 * `observationSpace.flatten` before they reach a policy.
 */
import type { Space, SpaceValueOf } from './spaces';

export type Info = Record<string, unknown>;

export interface ResetResult<O> {
  obs: O;
  info: Info;
}

export interface StepResult<O> {
  obs: O;
  reward: number;
  /** The episode reached a terminal state of the MDP (no bootstrap). */
  terminated: boolean;
  /** The episode was cut short (time limit): agents bootstrap from V(obs). */
  truncated: boolean;
  info: Info;
}

export interface Env<OS extends Space = Space, AS extends Space = Space> {
  readonly observationSpace: OS;
  readonly actionSpace: AS;
  /** Starts an episode; a seed reseeds the environment's own RNG (as gymnasium's reset(seed=)). */
  reset(seed?: number): ResetResult<SpaceValueOf<OS>>;
  step(action: SpaceValueOf<AS>): StepResult<SpaceValueOf<OS>> | Promise<StepResult<SpaceValueOf<OS>>>;
  /** A structured, JSON-serialisable snapshot of the current state (for the UI). */
  render(): unknown;
  /**
   * Valid actions now (sb3-contrib's convention): for Discrete(n) n booleans, for
   * MultiDiscrete(nvec) the per-slot masks concatenated (sum(nvec) booleans).
   */
  actionMasks?(): boolean[];
  /**
   * MultiDiscrete only, when a slot's valid values depend on the earlier slots (an action set's
   * grammar in full-mode NAS): the mask of slot `prefix.length`. An agent then samples slot by slot
   * and stores the masks it used, so that training re-evaluates the same distribution.
   */
  slotMask?(prefix: readonly number[]): boolean[];
  close?(): void;
}

export function isPromiseLike<T>(x: T | Promise<T>): x is Promise<T> {
  return typeof (x as { then?: unknown })?.then === 'function';
}
