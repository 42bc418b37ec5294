/** A rollout in progress, JSON-serialisable: each array holds the first pos × nEnvs rows. */
export interface RolloutSnapshot {
  pos: number;
  obs: number[];
  actions: number[];
  rewards: number[];
  episodeStarts: number[];
  values: number[];
  logProbs: number[];
  masks: number[] | null;
}

/**
 * The rollout buffer (SB3's RolloutBuffer / MaskableRolloutBuffer): n_steps × n_envs transitions,
 * stored step-major (index = step * nEnvs + env), and GAE(λ) as compute_returns_and_advantage.
 */
export class RolloutBuffer {
  readonly size: number;
  readonly obs: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly episodeStarts: Float32Array;
  readonly values: Float32Array;
  readonly logProbs: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  /** 1 = valid; null when masking is off. */
  readonly masks: Uint8Array | null;
  pos = 0;

  constructor(
    readonly nSteps: number,
    readonly nEnvs: number,
    readonly obsDim: number,
    readonly nSlots: number,
    readonly maskDim: number,
    masking: boolean,
  ) {
    this.size = nSteps * nEnvs;
    this.obs = new Float32Array(this.size * obsDim);
    this.actions = new Int32Array(this.size * nSlots);
    this.rewards = new Float32Array(this.size);
    this.episodeStarts = new Float32Array(this.size);
    this.values = new Float32Array(this.size);
    this.logProbs = new Float32Array(this.size);
    this.advantages = new Float32Array(this.size);
    this.returns = new Float32Array(this.size);
    this.masks = masking ? new Uint8Array(this.size * maskDim) : null;
  }

  reset(): void {
    this.pos = 0;
  }

  get full(): boolean {
    return this.pos >= this.nSteps;
  }

  /** One vectorised step: every array holds nEnvs rows. */
  add(step: {
    obs: Float32Array;
    actions: Int32Array;
    rewards: ArrayLike<number>;
    episodeStarts: ArrayLike<number>;
    values: ArrayLike<number>;
    logProbs: ArrayLike<number>;
    masks?: Uint8Array | null;
  }): void {
    if (this.full) throw new Error('RolloutBuffer is full');
    const e = this.nEnvs;
    const base = this.pos * e;
    this.obs.set(step.obs.subarray(0, e * this.obsDim), base * this.obsDim);
    this.actions.set(step.actions.subarray(0, e * this.nSlots), base * this.nSlots);
    for (let i = 0; i < e; i++) {
      this.rewards[base + i] = step.rewards[i];
      this.episodeStarts[base + i] = step.episodeStarts[i];
      this.values[base + i] = step.values[i];
      this.logProbs[base + i] = step.logProbs[i];
    }
    if (this.masks && step.masks) this.masks.set(step.masks.subarray(0, e * this.maskDim), base * this.maskDim);
    this.pos += 1;
  }

  /** The stored steps (rows up to pos) as plain arrays, for checkpoints. */
  snapshot(): RolloutSnapshot {
    const rows = this.pos * this.nEnvs;
    return {
      pos: this.pos,
      obs: Array.from(this.obs.subarray(0, rows * this.obsDim)),
      actions: Array.from(this.actions.subarray(0, rows * this.nSlots)),
      rewards: Array.from(this.rewards.subarray(0, rows)),
      episodeStarts: Array.from(this.episodeStarts.subarray(0, rows)),
      values: Array.from(this.values.subarray(0, rows)),
      logProbs: Array.from(this.logProbs.subarray(0, rows)),
      masks: this.masks ? Array.from(this.masks.subarray(0, rows * this.maskDim)) : null,
    };
  }

  /** Puts back a snapshot(): the rollout continues from its pos. Checks it all before changing anything. */
  restore(s: RolloutSnapshot): void {
    if (!Number.isInteger(s.pos) || s.pos < 0 || s.pos > this.nSteps) throw new Error(`rollout snapshot: bad pos ${s.pos}`);
    if (!this.masks && s.masks) throw new Error('rollout snapshot: has masks, but masking is off');
    const rows = s.pos * this.nEnvs;
    const fields: [Float32Array | Int32Array | Uint8Array, number[] | null, number, string][] = [
      [this.obs, s.obs, this.obsDim, 'obs'],
      [this.actions, s.actions, this.nSlots, 'actions'],
      [this.rewards, s.rewards, 1, 'rewards'],
      [this.episodeStarts, s.episodeStarts, 1, 'episodeStarts'],
      [this.values, s.values, 1, 'values'],
      [this.logProbs, s.logProbs, 1, 'logProbs'],
    ];
    if (this.masks) fields.push([this.masks, s.masks, this.maskDim, 'masks']);
    for (const [, values, perRow, name] of fields)
      if (values?.length !== rows * perRow) throw new Error(`rollout snapshot: ${name} has ${values?.length ?? 'no'} values, expected ${rows * perRow}`);
    for (const [target, values] of fields) target.set(values!);
    this.pos = s.pos;
  }

  /** lastValues: V(obs after the last step); dones: whether each env's last step ended its episode. */
  computeReturnsAndAdvantage(lastValues: ArrayLike<number>, dones: ArrayLike<number>, gamma: number, gaeLambda: number): void {
    computeGae(
      { rewards: this.rewards, values: this.values, episodeStarts: this.episodeStarts, nSteps: this.pos, nEnvs: this.nEnvs },
      lastValues,
      dones,
      gamma,
      gaeLambda,
      this.advantages,
      this.returns,
    );
  }
}

/**
 * GAE over step-major arrays, as SB3: a transition's successor is cut off where the next step
 * starts an episode (or, for the last step, where `dones` says so). Truncation bootstraps are
 * already folded into the rewards (r += γ·V(final obs)) when the transition is stored.
 */
export function computeGae(
  data: { rewards: ArrayLike<number>; values: ArrayLike<number>; episodeStarts: ArrayLike<number>; nSteps: number; nEnvs: number },
  lastValues: ArrayLike<number>,
  dones: ArrayLike<number>,
  gamma: number,
  gaeLambda: number,
  advantages: Float32Array | Float64Array = new Float64Array(data.nSteps * data.nEnvs),
  returns: Float32Array | Float64Array = new Float64Array(data.nSteps * data.nEnvs),
): { advantages: Float32Array | Float64Array; returns: Float32Array | Float64Array } {
  const { rewards, values, episodeStarts, nSteps, nEnvs } = data;
  for (let env = 0; env < nEnvs; env++) {
    let lastGae = 0;
    for (let step = nSteps - 1; step >= 0; step--) {
      const i = step * nEnvs + env;
      let nextNonTerminal: number;
      let nextValue: number;
      if (step === nSteps - 1) {
        nextNonTerminal = 1 - dones[env];
        nextValue = lastValues[env];
      } else {
        nextNonTerminal = 1 - episodeStarts[i + nEnvs];
        nextValue = values[i + nEnvs];
      }
      const delta = rewards[i] + gamma * nextValue * nextNonTerminal - values[i];
      lastGae = delta + gamma * gaeLambda * nextNonTerminal * lastGae;
      advantages[i] = lastGae;
      returns[i] = lastGae + values[i];
    }
  }
  return { advantages, returns };
}
