/**
 * Gymnasium-like spaces. Every space can sample a value with the engine's seeded RNG, check
 * membership and flatten a value into the Float32Array the policy networks read, the way
 * Stable-Baselines3 preprocesses observations: Discrete → one-hot, MultiDiscrete → concatenated
 * one-hots, Box → the raw floats, Dict → each key flattened in sorted key order, concatenated.
 */
import type { Rng } from '../random';

export type SpaceValue = number | number[] | Float32Array | { [key: string]: SpaceValue };

export interface SpaceBase<T> {
  readonly kind: 'discrete' | 'multi-discrete' | 'box' | 'dict';
  /** Length of `flatten(x)`. */
  readonly flatDim: number;
  sample(rng: Rng): T;
  contains(x: unknown): boolean;
  /** Writes the flat form of x into out at offset; returns offset + flatDim. */
  flattenInto(x: T, out: Float32Array, offset: number): number;
  flatten(x: T): Float32Array;
  /** Plain-JSON description (for checkpoints and the UI). */
  toJSON(): SpaceDescription;
}

export type SpaceDescription =
  | { kind: 'discrete'; n: number }
  | { kind: 'multi-discrete'; nvec: number[] }
  | { kind: 'box'; low: number[]; high: number[]; shape: number[] }
  | { kind: 'dict'; spaces: { [key: string]: SpaceDescription } };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export class Discrete implements SpaceBase<number> {
  readonly kind = 'discrete' as const;
  readonly flatDim: number;
  constructor(readonly n: number) {
    if (!isInt(n) || n < 1) throw new Error(`Discrete(n) needs an integer n ≥ 1, got ${n}`);
    this.flatDim = n;
  }
  sample(rng: Rng): number {
    return rng.int(this.n);
  }
  contains(x: unknown): boolean {
    return isInt(x) && x >= 0 && x < this.n;
  }
  flattenInto(x: number, out: Float32Array, offset: number): number {
    out.fill(0, offset, offset + this.n);
    out[offset + x] = 1;
    return offset + this.n;
  }
  flatten(x: number): Float32Array {
    const out = new Float32Array(this.flatDim);
    this.flattenInto(x, out, 0);
    return out;
  }
  toJSON(): SpaceDescription {
    return { kind: 'discrete', n: this.n };
  }
}

export class MultiDiscrete implements SpaceBase<number[]> {
  readonly kind = 'multi-discrete' as const;
  readonly flatDim: number;
  readonly nvec: readonly number[];
  constructor(nvec: readonly number[]) {
    if (nvec.length === 0 || !nvec.every((n) => isInt(n) && n >= 1)) throw new Error(`MultiDiscrete needs integers ≥ 1, got [${nvec.join(', ')}]`);
    this.nvec = [...nvec];
    this.flatDim = nvec.reduce((a, b) => a + b, 0);
  }
  sample(rng: Rng): number[] {
    return this.nvec.map((n) => rng.int(n));
  }
  contains(x: unknown): boolean {
    return Array.isArray(x) && x.length === this.nvec.length && x.every((v, i) => isInt(v) && v >= 0 && v < this.nvec[i]);
  }
  flattenInto(x: number[], out: Float32Array, offset: number): number {
    out.fill(0, offset, offset + this.flatDim);
    let o = offset;
    for (let i = 0; i < this.nvec.length; i++) {
      out[o + x[i]] = 1;
      o += this.nvec[i];
    }
    return o;
  }
  flatten(x: number[]): Float32Array {
    const out = new Float32Array(this.flatDim);
    this.flattenInto(x, out, 0);
    return out;
  }
  toJSON(): SpaceDescription {
    return { kind: 'multi-discrete', nvec: [...this.nvec] };
  }
}

export class Box implements SpaceBase<Float32Array> {
  readonly kind = 'box' as const;
  readonly flatDim: number;
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly shape: readonly number[];
  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    const size = shape ? shape.reduce((a, b) => a * b, 1) : typeof low === 'number' ? (typeof high === 'number' ? 1 : high.length) : low.length;
    this.shape = shape ? [...shape] : [size];
    this.flatDim = size;
    this.low = typeof low === 'number' ? new Float32Array(size).fill(low) : Float32Array.from(low);
    this.high = typeof high === 'number' ? new Float32Array(size).fill(high) : Float32Array.from(high);
    if (this.low.length !== size || this.high.length !== size) throw new Error('Box: low/high do not match the shape');
  }
  /** As gymnasium: uniform on bounded dims, exponential/normal on unbounded ones. */
  sample(rng: Rng): Float32Array {
    const out = new Float32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      const loF = Number.isFinite(lo);
      const hiF = Number.isFinite(hi);
      if (loF && hiF) out[i] = lo + (hi - lo) * rng.next();
      else if (loF) out[i] = lo - Math.log(1 - rng.next());
      else if (hiF) out[i] = hi + Math.log(1 - rng.next());
      else out[i] = rng.normal();
    }
    return out;
  }
  contains(x: unknown): boolean {
    const arr = x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x) ? (x as ArrayLike<unknown>) : null;
    if (!arr || arr.length !== this.flatDim) return false;
    for (let i = 0; i < this.flatDim; i++) {
      const v = arr[i];
      // Compare in float32 precision, as gymnasium does with the space's dtype.
      if (typeof v !== 'number' || Number.isNaN(v) || Math.fround(v) < this.low[i] || Math.fround(v) > this.high[i]) return false;
    }
    return true;
  }
  flattenInto(x: Float32Array, out: Float32Array, offset: number): number {
    for (let i = 0; i < this.flatDim; i++) out[offset + i] = x[i];
    return offset + this.flatDim;
  }
  flatten(x: Float32Array): Float32Array {
    return Float32Array.from(x);
  }
  toJSON(): SpaceDescription {
    return { kind: 'box', low: Array.from(this.low), high: Array.from(this.high), shape: [...this.shape] };
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Space = Discrete | MultiDiscrete | Box | DictSpace<any>;

export type SpaceValueOf<S> = S extends SpaceBase<infer T> ? T : never;

export class DictSpace<S extends { [key: string]: Space }> implements SpaceBase<{ [K in keyof S]: SpaceValueOf<S[K]> }> {
  readonly kind = 'dict' as const;
  readonly flatDim: number;
  /** Sorted keys: the fixed order of sample, flatten and JSON. */
  readonly keys: readonly (keyof S & string)[];
  readonly spaces: S;
  constructor(spaces: S) {
    this.keys = (Object.keys(spaces) as (keyof S & string)[]).sort();
    const ordered = {} as S;
    for (const k of this.keys) ordered[k] = spaces[k];
    this.spaces = ordered;
    this.flatDim = this.keys.reduce((a, k) => a + spaces[k].flatDim, 0);
  }
  sample(rng: Rng): { [K in keyof S]: SpaceValueOf<S[K]> } {
    const out = {} as { [K in keyof S]: SpaceValueOf<S[K]> };
    for (const k of this.keys) out[k] = this.spaces[k].sample(rng) as SpaceValueOf<S[typeof k]>;
    return out;
  }
  contains(x: unknown): boolean {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
    const rec = x as Record<string, unknown>;
    if (Object.keys(rec).length !== this.keys.length) return false;
    return this.keys.every((k) => k in rec && this.spaces[k].contains(rec[k]));
  }
  flattenInto(x: { [K in keyof S]: SpaceValueOf<S[K]> }, out: Float32Array, offset: number): number {
    let o = offset;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    for (const k of this.keys) o = (this.spaces[k] as SpaceBase<any>).flattenInto(x[k], out, o);
    return o;
  }
  flatten(x: { [K in keyof S]: SpaceValueOf<S[K]> }): Float32Array {
    const out = new Float32Array(this.flatDim);
    this.flattenInto(x, out, 0);
    return out;
  }
  toJSON(): SpaceDescription {
    const spaces: { [key: string]: SpaceDescription } = {};
    for (const k of this.keys) spaces[k] = this.spaces[k].toJSON();
    return { kind: 'dict', spaces };
  }
}

/** Writes an observation, in its space's own form, flat into out at offset (a policy's input). */
export function flattenObservation(space: Space, obs: unknown, out: Float32Array, offset: number): void {
  (space as SpaceBase<unknown>).flattenInto(obs, out, offset);
}

/** Number of categorical slots and their sizes for an action space PPO supports. */
export function actionNvec(space: Space): number[] {
  if (space instanceof Discrete) return [space.n];
  if (space instanceof MultiDiscrete) return [...space.nvec];
  throw new Error(`unsupported action space: ${space.kind} (Discrete or MultiDiscrete only)`);
}

/** Rebuilds a space from its JSON description. */
export function spaceFromJSON(d: SpaceDescription): Space {
  switch (d.kind) {
    case 'discrete':
      return new Discrete(d.n);
    case 'multi-discrete':
      return new MultiDiscrete(d.nvec);
    case 'box':
      return new Box(d.low, d.high, d.shape);
    case 'dict': {
      const spaces: { [key: string]: Space } = {};
      for (const k of Object.keys(d.spaces)) spaces[k] = spaceFromJSON(d.spaces[k]);
      return new DictSpace(spaces);
    }
  }
}
export { DictSpace as Dict };
