/**
 * DQN's experience replay (SB3's ReplayBuffer for one env, handle_timeout_termination): a ring of
 * the last `capacity` transitions, sampled uniformly with replacement. A transition cut short by a
 * time limit is stored as not done, with the final observation as its next one, so the target
 * bootstraps from it. With masking, the next state's valid actions are stored too, for the
 * bootstrap's max. Storage grows as transitions arrive, up to the capacity.
 */
import type { Rng } from '../../random';

export interface Transition {
  obs: Float32Array;
  action: number;
  reward: number;
  nextObs: Float32Array;
  /** Terminated (no bootstrap); a truncated episode's last step is not done. */
  done: boolean;
  /** The valid actions in nextObs (null without masking). */
  nextMask: Uint8Array | null;
}

/** The stored transitions, oldest slot first as stored (the ring's order), for checkpoints. */
export interface ReplaySnapshot {
  pos: number;
  full: boolean;
  obs: number[];
  nextObs: number[];
  actions: number[];
  rewards: number[];
  dones: number[];
  nextMasks: number[] | null;
}

export class ReplayBuffer {
  pos = 0;
  full = false;
  private allocated = 0;
  obs = new Float32Array(0);
  nextObs = new Float32Array(0);
  actions = new Int32Array(0);
  rewards = new Float32Array(0);
  dones = new Float32Array(0);
  nextMasks: Uint8Array | null;

  constructor(
    readonly capacity: number,
    readonly obsDim: number,
    readonly nActions: number,
    readonly masking: boolean,
  ) {
    this.nextMasks = masking ? new Uint8Array(0) : null;
  }

  /** Transitions stored (SB3's size()). */
  get size(): number {
    return this.full ? this.capacity : this.pos;
  }

  add(t: Transition): void {
    if (this.pos >= this.allocated) this.grow();
    const { pos, obsDim, nActions } = this;
    this.obs.set(t.obs, pos * obsDim);
    this.nextObs.set(t.nextObs, pos * obsDim);
    this.actions[pos] = t.action;
    this.rewards[pos] = t.reward;
    this.dones[pos] = t.done ? 1 : 0;
    if (this.nextMasks) this.nextMasks.set(t.nextMask ?? new Uint8Array(nActions).fill(1), pos * nActions);
    this.pos += 1;
    if (this.pos === this.capacity) {
      this.full = true;
      this.pos = 0;
    }
  }

  /** batchSize indices drawn uniformly, with replacement, from the stored transitions (SB3's sample). */
  sampleIndices(batchSize: number, rng: Rng): Int32Array {
    const size = this.size;
    if (size === 0) throw new Error('replay buffer: nothing to sample');
    const idx = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) idx[i] = rng.int(size);
    return idx;
  }

  /** Doubles the storage (up to the capacity), keeping what is stored. */
  private grow(): void {
    const next = Math.min(this.capacity, Math.max(1024, 2 * this.allocated));
    const resize = <T extends Float32Array | Int32Array | Uint8Array>(old: T, width: number, make: (n: number) => T): T => {
      const fresh = make(next * width);
      fresh.set(old);
      return fresh;
    };
    this.obs = resize(this.obs, this.obsDim, (n) => new Float32Array(n));
    this.nextObs = resize(this.nextObs, this.obsDim, (n) => new Float32Array(n));
    this.actions = resize(this.actions, 1, (n) => new Int32Array(n));
    this.rewards = resize(this.rewards, 1, (n) => new Float32Array(n));
    this.dones = resize(this.dones, 1, (n) => new Float32Array(n));
    if (this.nextMasks) this.nextMasks = resize(this.nextMasks, this.nActions, (n) => new Uint8Array(n));
    this.allocated = next;
  }

  snapshot(): ReplaySnapshot {
    const n = this.size;
    return {
      pos: this.pos,
      full: this.full,
      obs: Array.from(this.obs.subarray(0, n * this.obsDim)),
      nextObs: Array.from(this.nextObs.subarray(0, n * this.obsDim)),
      actions: Array.from(this.actions.subarray(0, n)),
      rewards: Array.from(this.rewards.subarray(0, n)),
      dones: Array.from(this.dones.subarray(0, n)),
      nextMasks: this.nextMasks ? Array.from(this.nextMasks.subarray(0, n * this.nActions)) : null,
    };
  }

  /** Puts back a snapshot(); throws, changing nothing, when it does not fit this buffer. */
  restore(s: ReplaySnapshot): void {
    const n = s.full ? this.capacity : s.pos;
    const check = (field: string, length: number, expected: number) => {
      if (length !== expected) throw new Error(`replay buffer: ${field} has ${length} values, expected ${expected}`);
    };
    if (s.pos > this.capacity || (s.full && s.pos >= this.capacity)) throw new Error(`replay buffer: position ${s.pos} is outside a capacity of ${this.capacity}`);
    check('obs', s.obs.length, n * this.obsDim);
    check('nextObs', s.nextObs.length, n * this.obsDim);
    check('actions', s.actions.length, n);
    check('rewards', s.rewards.length, n);
    check('dones', s.dones.length, n);
    if (this.masking !== (s.nextMasks !== null)) throw new Error(`replay buffer: the checkpoint was taken ${s.nextMasks ? 'with' : 'without'} masks`);
    if (s.nextMasks) check('nextMasks', s.nextMasks.length, n * this.nActions);
    this.allocated = 0;
    this.obs = new Float32Array(0);
    this.nextObs = new Float32Array(0);
    this.actions = new Int32Array(0);
    this.rewards = new Float32Array(0);
    this.dones = new Float32Array(0);
    if (this.nextMasks) this.nextMasks = new Uint8Array(0);
    while (this.allocated < n) this.grow();
    this.obs.set(s.obs);
    this.nextObs.set(s.nextObs);
    this.actions.set(s.actions);
    this.rewards.set(s.rewards);
    this.dones.set(s.dones);
    if (this.nextMasks && s.nextMasks) this.nextMasks.set(s.nextMasks);
    this.pos = s.pos;
    this.full = s.full;
  }
}
