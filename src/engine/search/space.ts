/**
 * What a search searches: candidates as vectors of slot choices, chosen slot by slot. A whole
 * candidate (full mode) is one choice per slot; a layer-wise agent picks the same slots one step at
 * a time and sees the partial candidate, and its episode ends when the prefix is complete. Both
 * kinds of candidate the product searches are such spaces: networks from an action set (slot value
 * 0 ends the network, i ≥ 1 appends the grammar's choice i − 1) and NAS-Bench-201 cells (one
 * operation per edge). Agents, predictors and the search loop see only this interface.
 */
import { ActionGrammar } from '../../shared/action-set';
import { architectureHash } from '../../shared/architecture';
import { describeLayers, type LayerSpec } from '../../shared/layers';
import { inferLayer, type TensorShape } from '../../shared/shapes';
import { decodeArch, NB201_NVEC, type Nb201Table } from '../evaluators/nb201';

/** How people and the history see a candidate. */
export interface CandidateDescription {
  label: string;
  hash: string;
  /** {layers} for trained networks, {nb201} for benchmark cells. */
  architecture: unknown;
}

export interface CandidateSpace {
  /** Choices per slot of a whole candidate. */
  readonly nvec: readonly number[];
  /** Whether some slot values are ever disallowed (if not, agents need no masks). */
  readonly constrained: boolean;
  /** The allowed values of slot `prefix.length` given the earlier slots (never all false). */
  slotMask(prefix: readonly number[]): boolean[];
  /** Whether a prefix is a whole candidate: a layer-wise episode ends here. */
  isComplete(prefix: readonly number[]): boolean;
  /** The whole-candidate vector of a complete prefix (padded to nvec.length). */
  complete(prefix: readonly number[]): number[];
  describe(action: readonly number[]): CandidateDescription;
  /** Length of prefixFeatures(). */
  readonly prefixFeatureSize: number;
  /** What a layer-wise policy sees of a partial candidate: fixed length, values in [0, 1]. */
  prefixFeatures(prefix: readonly number[]): Float32Array;
}

/** Networks an action set allows for an input shape. */
export class ActionSetSpace implements CandidateSpace {
  readonly nvec: readonly number[];
  readonly constrained = true;
  readonly prefixFeatureSize: number;

  constructor(readonly grammar: ActionGrammar) {
    this.nvec = new Array<number>(grammar.maxLayers).fill(grammar.size);
    this.prefixFeatureSize = grammar.maxLayers + SHAPE_FEATURES;
  }

  /** After a 0 (the network ended) only 0 follows. */
  slotMask(prefix: readonly number[]): boolean[] {
    if (prefix.includes(0)) return this.grammar.mask([]).map((_, a) => a === 0);
    return this.grammar.mask(prefix);
  }

  isComplete(prefix: readonly number[]): boolean {
    return prefix.at(-1) === 0 || prefix.length >= this.grammar.maxLayers;
  }

  complete(prefix: readonly number[]): number[] {
    const end = prefix.indexOf(0);
    const chosen = end === -1 ? prefix : prefix.slice(0, end);
    return [...chosen, ...new Array<number>(this.grammar.maxLayers - chosen.length).fill(0)];
  }

  layers(action: readonly number[]): LayerSpec[] {
    return this.grammar.layers(action);
  }

  describe(action: readonly number[]): CandidateDescription {
    const layers = this.grammar.layers(action);
    return { label: describeLayers(layers), hash: architectureHash(layers), architecture: { layers } };
  }

  /** The chosen slots scaled to [0, 1], then the feature map's shape after them. */
  prefixFeatures(prefix: readonly number[]): Float32Array {
    const features = new Float32Array(this.prefixFeatureSize);
    const chosen = prefix.includes(0) ? prefix.slice(0, prefix.indexOf(0)) : prefix;
    chosen.forEach((a, s) => (features[s] = a / (this.grammar.size - 1)));
    features.set(shapeFeatures(this.shapeAfter(chosen), this.grammar.inputShape), this.grammar.maxLayers);
    return features;
  }

  private shapeAfter(prefix: readonly number[]): TensorShape {
    let shape = this.grammar.start;
    for (const layer of this.grammar.layers(prefix)) {
      const next = inferLayer(shape, layer);
      if ('error' in next) break;
      shape = next.output;
    }
    return shape;
  }
}

const SHAPE_FEATURES = 4;

/** [h/H, w/W, log2(1 + channels or units)/16, flat?]: all in [0, 1]. */
function shapeFeatures(shape: TensorShape, input: readonly [number, number, number]): Float32Array {
  if (shape.kind === 'flat') return Float32Array.of(0, 0, Math.min(1, Math.log2(1 + shape.units) / 16), 1);
  return Float32Array.of(shape.h / input[0], shape.w / input[1], Math.min(1, Math.log2(1 + shape.c) / 16), 0);
}

/** NAS-Bench-201 cells: 6 edges × 5 operations, every combination allowed. */
export class Nb201Space implements CandidateSpace {
  readonly nvec = NB201_NVEC;
  readonly constrained = false;
  /** One entry per edge: its operation scaled to [0, 1] once chosen, plus whether it is chosen. */
  readonly prefixFeatureSize = 2 * NB201_NVEC.length;

  constructor(private readonly table: Nb201Table) {}

  slotMask(): boolean[] {
    return new Array<boolean>(NB201_NVEC[0]).fill(true);
  }

  isComplete(prefix: readonly number[]): boolean {
    return prefix.length >= NB201_NVEC.length;
  }

  complete(prefix: readonly number[]): number[] {
    return [...prefix];
  }

  describe(action: readonly number[]): CandidateDescription {
    const arch = decodeArch(action);
    return { label: arch, hash: `nb201:${this.table.indexOf(action)}`, architecture: { nb201: arch } };
  }

  prefixFeatures(prefix: readonly number[]): Float32Array {
    const features = new Float32Array(this.prefixFeatureSize);
    prefix.forEach((op, edge) => {
      features[edge] = op / (NB201_NVEC[edge] - 1);
      features[NB201_NVEC.length + edge] = 1;
    });
    return features;
  }
}
