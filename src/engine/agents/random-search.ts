/**
 * Random search: every candidate is drawn uniformly and independently per slot from the seeded
 * RNG. The signal is ignored; the search loop keeps the best it has seen.
 */
import { z } from 'zod';
import { createRng, type Rng } from '../random';
import type { Proposal, SearchAgent } from './agent';
import { sampleMasked, type SlotMask } from './strategy';

export const RandomSearchCheckpointSchema = z.object({
  kind: z.literal('random'),
  nvec: z.array(z.number().int().positive()).min(1),
  seed: z.number().int(),
  rngState: z.number().int(),
  asked: z.number().int().nonnegative(),
});
export type RandomSearchCheckpoint = z.infer<typeof RandomSearchCheckpointSchema>;

export class RandomSearch implements SearchAgent {
  readonly name = 'random';
  readonly nvec: readonly number[];
  private readonly rng: Rng;
  private asked: number;

  constructor(
    nvec: readonly number[],
    readonly seed = 0,
    restore?: { rngState: number; asked: number },
    /** With an action set's masks, only allowed values are drawn (uniform per slot in turn). */
    private readonly slotMask?: SlotMask,
  ) {
    checkNvec(nvec);
    this.nvec = [...nvec];
    this.rng = createRng(seed, restore?.rngState);
    this.asked = restore?.asked ?? 0;
  }

  /** Continues from a checkpoint() exactly (the same candidates follow). */
  static restore(checkpoint: unknown, slotMask?: SlotMask): RandomSearch {
    const c = RandomSearchCheckpointSchema.parse(checkpoint);
    return new RandomSearch(c.nvec, c.seed, c, slotMask);
  }

  async ask(): Promise<Proposal> {
    this.asked++;
    if (this.slotMask) return { action: sampleMasked(this.nvec, this.slotMask, this.rng.int) };
    return { action: this.nvec.map((n) => this.rng.int(n)) };
  }

  async tell(): Promise<undefined> {
    return undefined;
  }

  checkpoint(): RandomSearchCheckpoint {
    return { kind: 'random', nvec: [...this.nvec], seed: this.seed, rngState: this.rng.state(), asked: this.asked };
  }
}

export function checkNvec(nvec: readonly number[]): void {
  if (nvec.length === 0 || !nvec.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(`nvec must be a non-empty list of positive integers, got ${JSON.stringify(nvec)}`);
  }
}
