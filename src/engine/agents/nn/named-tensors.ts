/**
 * Parameter arrays (and Adam's moments of them) as checkpoints hold them: JSON number lists by
 * name, checked on the way back against the arrays they are loaded into.
 */
import { z } from 'zod';

/** Named tensors: name → values. */
export const TensorsSchema = z.record(z.string(), z.array(z.number()));
export type Tensors = z.infer<typeof TensorsSchema>;

/** Adam's step count and moments, by the names of the parameters they belong to. */
export const AdamTensorsSchema = z.object({ step: z.int().nonnegative(), m: TensorsSchema, v: TensorsSchema });

/** Adam's state as the optimiser holds it: one moment array per parameter array. */
export interface AdamState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export function encodeTensors(names: readonly string[], arrays: readonly Float32Array[]): Tensors {
  return Object.fromEntries(names.map((name, k) => [name, Array.from(arrays[k])]));
}

/**
 * The arrays named `names` in `t`, each as long as its counterpart in `like`; the error names the
 * checkpoint (`owner`), the field and the tensor that is missing or of the wrong size.
 */
export function decodeTensors(owner: string, field: string, t: Tensors, names: readonly string[], like: readonly Float32Array[]): Float32Array[] {
  return names.map((name, k) => {
    const v = t[name];
    if (v === undefined) throw new Error(`${owner} checkpoint: ${field}.${name} is missing`);
    if (v.length !== like[k].length) throw new Error(`${owner} checkpoint: ${field}.${name} has ${v.length} values, expected ${like[k].length}`);
    return Float32Array.from(v);
  });
}

export function encodeAdam(names: readonly string[], adam: AdamState): z.infer<typeof AdamTensorsSchema> {
  return { step: adam.step, m: encodeTensors(names, adam.m), v: encodeTensors(names, adam.v) };
}

export function decodeAdam(owner: string, adam: z.infer<typeof AdamTensorsSchema>, names: readonly string[], like: readonly Float32Array[]): AdamState {
  return { step: adam.step, m: decodeTensors(owner, 'adam.m', adam.m, names, like), v: decodeTensors(owner, 'adam.v', adam.v, names, like) };
}
