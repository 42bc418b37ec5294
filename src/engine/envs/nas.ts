/**
 * The NAS environment of the original design, in two modes:
 *  - full: one step proposes the whole network, one choice per slot (MultiDiscrete over
 *    "none" + the action set's choices; slots after the first "none" must be "none" too);
 *  - layerwise (MetaQNN): each step appends one layer or ends the network; the network is trained
 *    when it ends (END or the depth limit).
 * Either way one episode is one network. The observation is a ring buffer of the last
 * `memoryLen` networks and their per-epoch metric curves (newest last), which persists across
 * episodes: it is the search's memory, saved in checkpoints. Layerwise adds the partial network and
 * its current feature-map shape.
 */
import { z } from 'zod';
import { ActionGrammar } from '../../shared/action-set';
import { architectureHash } from '../../shared/architecture';
import { CandidateStatusSchema, EpochMetricsSchema } from '../../shared/events';
import { clampMetric } from '../../shared/training';
import { describeLayer, describeLayers } from '../../shared/layers';
import { inferLayer, type TensorShape } from '../../shared/shapes';
import { parseCheckpoint } from '../checkpoint';
import type { CandidateEvaluator, CandidateOutcome, EvaluationHooks } from '../evaluators/types';
import { Box, DictSpace, Discrete, MultiDiscrete } from './spaces';
import type { CandidateDescription, CandidateEnv, Proposal } from './candidate-env';
import type { Info, ResetResult, StepResult } from './types';

export type NasMode = 'full' | 'layerwise';

export interface RewardConfig {
  /** accuracy: the candidate's validation accuracy; improvement: the drop of its final train and
   *  validation losses against the previous candidate's (losses clamped at 100, NaN/inf → 100). */
  kind: 'accuracy' | 'improvement';
  /** Added when the network was built (the original design's NN_CREATE_SUCCESS_REWARD). */
  buildSuccess: number;
  /** Added when it could not be built or broke the action set's rules. */
  buildFailure: number;
  /** Subtracted per layer. */
  depthPenalty: number;
  /** Subtracted per million parameters. */
  paramPenalty: number;
}

export const DEFAULT_REWARD: RewardConfig = { kind: 'accuracy', buildSuccess: 1, buildFailure: -1, depthPenalty: 0, paramPenalty: 0 };

export interface NasEnvOptions {
  grammar: ActionGrammar;
  evaluator: CandidateEvaluator;
  mode: NasMode;
  memoryLen?: number;
  reward?: Partial<RewardConfig>;
}

/** One remembered network: its choice actions (0-padded to maxLayers) and what training gave. */
export interface MemoryEntry {
  actions: number[];
  outcome: CandidateOutcome;
}

export interface NasCheckpoint {
  memory: MemoryEntry[];
  evaluations: number;
  /** The partial network of a layerwise episode (a search cancelled mid-episode continues it). */
  prefix: number[];
}

/** A NasCheckpoint whose actions fit this grammar (a checkpoint of another action set would be a nonsense memory). */
function nasCheckpointSchema(grammar: ActionGrammar) {
  const action = z.int().min(0).max(grammar.size - 1);
  const outcome = z.object({
    status: CandidateStatusSchema,
    signal: z.number(),
    epochs: z.array(EpochMetricsSchema),
    params: z.number().optional(),
    testAccuracy: z.number().optional(),
    error: z.string().optional(),
    hash: z.string(),
    cached: z.boolean(),
  });
  return z.object({
    memory: z.array(z.object({ actions: z.array(action).length(grammar.maxLayers), outcome })),
    evaluations: z.int().min(0),
    prefix: z.array(action.min(1)).max(grammar.maxLayers - 1).default([]),
  });
}

const METRICS_PER_EPOCH = 4;
type NasObservation = Record<string, Float32Array>;

export class NasEnv implements CandidateEnv<DictSpace<Record<string, Box>>, Discrete | MultiDiscrete> {
  readonly observationSpace: DictSpace<Record<string, Box>>;
  readonly actionSpace: Discrete | MultiDiscrete;
  readonly grammar: ActionGrammar;
  readonly mode: NasMode;
  readonly reward: RewardConfig;
  private readonly evaluator: CandidateEvaluator;
  private readonly memoryLen: number;
  private memory: MemoryEntry[] = [];
  /** The partial network of a layerwise episode. */
  private prefix: number[] = [];
  private evaluations = 0;
  /** Passed to the evaluator: cancel the candidate in training, watch its epochs. */
  hooks: EvaluationHooks = {};
  onPropose?: (proposal: Proposal) => void;
  /**
   * Full mode only (absent in layerwise mode, where actionMasks() already depends on the partial
   * network): the mask of slot `prefix.length` given the earlier slots; after a "none", only "none".
   */
  readonly slotMask?: (prefix: readonly number[]) => boolean[];

  constructor(options: NasEnvOptions) {
    this.grammar = options.grammar;
    this.evaluator = options.evaluator;
    this.mode = options.mode;
    this.memoryLen = options.memoryLen ?? 10;
    this.reward = { ...DEFAULT_REWARD, ...options.reward };
    // An invariant, not the user-facing check (run configs are refused earlier, by RunConfigSchema):
    // over a grammar with no network, every mask would be empty and the agents could sample nothing.
    if (!this.grammar.allowsAnyNetwork()) {
      throw new Error(`action set "${this.grammar.set.name}" allows no network for input ${this.grammar.inputShape.join('×')}`);
    }
    const slots = this.grammar.maxLayers;
    const spaces: Record<string, Box> = {
      architectures: new Box(0, 1, [this.memoryLen, slots]),
      metrics: new Box(0, 100, [this.memoryLen, METRICS_PER_EPOCH, this.evaluator.epochs]),
    };
    if (this.mode === 'layerwise') {
      spaces.partial = new Box(0, 1, [slots]);
      spaces.shape = new Box(0, 1, [4]);
    }
    this.observationSpace = new DictSpace(spaces);
    this.actionSpace = this.mode === 'full' ? new MultiDiscrete(new Array(slots).fill(this.grammar.size)) : new Discrete(this.grammar.size);
    if (this.mode === 'full') {
      this.slotMask = (prefix) => (prefix.includes(0) ? this.grammar.mask([]).map((_, a) => a === 0) : this.grammar.mask(prefix));
    }
  }

  reset(): ResetResult<NasObservation> {
    this.prefix = [];
    return { obs: this.observe(), info: {} };
  }

  /**
   * Valid actions now. Layerwise: the next layer's mask. Full: slot 0's mask followed by the masks of
   * later slots as if every earlier slot were unconstrained; use `slotMask` to sample slot by slot.
   */
  actionMasks(): boolean[] {
    if (this.mode === 'layerwise') return this.grammar.mask(this.prefix);
    const first = this.grammar.mask([]);
    return [...first, ...new Array((this.grammar.maxLayers - 1) * this.grammar.size).fill(true)];
  }


  async step(action: number | number[]): Promise<StepResult<NasObservation>> {
    if (this.mode === 'full') {
      if (!Array.isArray(action)) throw new TypeError('full mode takes one action per slot');
      return this.finish(action.slice(0, this.grammar.maxLayers));
    }
    if (typeof action !== 'number') throw new TypeError('layerwise mode takes one action per step');
    const mask = this.grammar.mask(this.prefix);
    if (!mask[action]) return this.finish([...this.prefix, action]);
    if (action === 0) return this.finish(this.prefix);
    this.prefix.push(action);
    if (this.prefix.length === this.grammar.maxLayers) return this.finish(this.prefix);
    return { obs: this.observe(), reward: 0, terminated: false, truncated: false, info: {} };
  }

  render(): unknown {
    return {
      mode: this.mode,
      evaluations: this.evaluations,
      partial: this.grammar.layers(this.prefix).map(describeLayer),
      memory: this.memory.map(({ actions, outcome }) => ({
        layers: this.grammar.layers(actions).map(describeLayer),
        status: outcome.status,
        signal: outcome.signal,
        cached: outcome.cached,
      })),
    };
  }

  /** Choice actions (a 0 ends the network) as the network they build. */
  describe(actions: readonly number[]): CandidateDescription {
    const layers = this.grammar.layers(actions);
    return { label: describeLayers(layers), hash: architectureHash(layers), architecture: { layers } };
  }

  checkpoint(): NasCheckpoint {
    return { memory: structuredClone(this.memory), evaluations: this.evaluations, prefix: [...this.prefix] };
  }

  restore(checkpoint: unknown): void {
    const c: NasCheckpoint = parseCheckpoint(nasCheckpointSchema(this.grammar), checkpoint, 'NAS environment');
    // slice(-0) would keep everything. Parsing made fresh objects: nothing is shared with the caller.
    this.memory = this.memoryLen > 0 ? c.memory.slice(-this.memoryLen) : [];
    this.evaluations = c.evaluations;
    this.prefix = c.prefix;
  }

  /** Where the masks are first broken, or undefined when every action was allowed. */
  private firstViolation(actions: readonly number[]): string | undefined {
    const prefix: number[] = [];
    for (const [slot, action] of actions.entries()) {
      const mask = this.grammar.mask(prefix);
      if (!mask[action]) {
        const what = action === 0 ? 'ending here' : `"${describeLayer(this.grammar.choices[action - 1].layer)}"`;
        return `slot ${slot + 1}: ${what} is not allowed by action set "${this.grammar.set.name}" after ${prefix.length ? describeLayers(this.grammar.layers(prefix)) : 'the input'}`;
      }
      if (action === 0) return undefined;
      prefix.push(action);
    }
    return undefined;
  }

  private async finish(actions: number[]): Promise<StepResult<NasObservation>> {
    const padded = [...actions, ...new Array(this.grammar.maxLayers).fill(0)].slice(0, this.grammar.maxLayers);
    const chosen = padded.indexOf(0) === -1 ? padded : padded.slice(0, padded.indexOf(0));
    const violation = this.firstViolation(padded);
    const layers = this.grammar.layers(chosen);
    this.onPropose?.({ action: this.mode === 'full' ? padded : chosen, ...this.describe(chosen) });
    const outcome: CandidateOutcome = violation
      ? { status: 'failed', signal: 0, epochs: [], error: violation, hash: '', cached: false }
      : await this.evaluator.evaluate(layers, this.hooks);
    this.evaluations++;
    const previous = this.memory.at(-1)?.outcome;
    const reward = computeReward(outcome, previous, layers.length, this.reward);
    this.memory.push({ actions: padded, outcome });
    if (this.memory.length > this.memoryLen) this.memory.shift();
    this.prefix = [];
    const info: Info = { layers, outcome, rewardParts: reward.parts };
    return { obs: this.observe(), reward: reward.total, terminated: true, truncated: false, info };
  }

  private observe(): NasObservation {
    const slots = this.grammar.maxLayers;
    const epochs = this.evaluator.epochs;
    const architectures = new Float32Array(this.memoryLen * slots);
    const metrics = new Float32Array(this.memoryLen * METRICS_PER_EPOCH * epochs);
    const offset = this.memoryLen - this.memory.length; // newest last, older rows zero
    this.memory.forEach(({ actions, outcome }, i) => {
      const row = offset + i;
      actions.forEach((a, s) => (architectures[row * slots + s] = a / (this.grammar.size - 1)));
      for (let e = 0; e < epochs; e++) {
        const m = outcome.epochs[e];
        const base = (row * METRICS_PER_EPOCH) * epochs + e;
        // A missing epoch (failed or diverged) counts as the worst: loss 100, accuracy 0.
        metrics[base] = clampMetric(m?.trainLoss ?? Number.NaN);
        metrics[base + epochs] = clampMetric(m?.validLoss ?? Number.NaN);
        metrics[base + 2 * epochs] = m?.trainAccuracy ?? 0;
        metrics[base + 3 * epochs] = m?.validAccuracy ?? 0;
      }
    });
    const obs: NasObservation = { architectures, metrics };
    if (this.mode === 'layerwise') {
      const partial = new Float32Array(slots);
      this.prefix.forEach((a, s) => (partial[s] = a / (this.grammar.size - 1)));
      obs.partial = partial;
      obs.shape = shapeFeatures(this.currentShape(), this.grammar.inputShape);
    }
    return obs;
  }

  private currentShape(): TensorShape {
    let shape = this.grammar.start;
    for (const layer of this.grammar.layers(this.prefix)) {
      const next = inferLayer(shape, layer);
      if ('error' in next) break;
      shape = next.output;
    }
    return shape;
  }
}

/** [h/H, w/W, log2(1 + channels or units)/16, flat?] — all in [0, 1]. */
function shapeFeatures(shape: TensorShape, input: readonly [number, number, number]): Float32Array {
  if (shape.kind === 'flat') return Float32Array.of(0, 0, Math.min(1, Math.log2(1 + shape.units) / 16), 1);
  return Float32Array.of(shape.h / input[0], shape.w / input[1], Math.min(1, Math.log2(1 + shape.c) / 16), 0);
}

export interface Reward {
  total: number;
  parts: { metric: number; build: number; depth: number; params: number };
}

export function computeReward(outcome: CandidateOutcome, previous: CandidateOutcome | undefined, depth: number, config: RewardConfig): Reward {
  const built = outcome.status !== 'failed';
  let metric = 0;
  if (config.kind === 'accuracy') metric = outcome.signal;
  else if (previous) {
    const finalLosses = (o: CandidateOutcome) => {
      const last = o.status === 'completed' ? o.epochs.at(-1) : undefined;
      return [clampMetric(last?.trainLoss ?? Number.NaN), clampMetric(last?.validLoss ?? Number.NaN)];
    };
    const [prevTrain, prevValid] = finalLosses(previous);
    const [train, valid] = finalLosses(outcome);
    metric = prevTrain - train + (prevValid - valid);
  }
  const parts = {
    metric,
    build: built ? config.buildSuccess : config.buildFailure,
    depth: -config.depthPenalty * depth,
    params: -config.paramPenalty * ((outcome.params ?? 0) / 1e6),
  };
  return { total: parts.metric + parts.build + parts.depth + parts.params, parts };
}
