/**
 * Regularized (ageing) evolution, Real et al. 2019, as run in NAS-Bench-201 (AutoDL-Projects
 * exps/algos/R_EA.py): the first `population` candidates are uniform random; after that each
 * candidate is a mutation of the best of `sampleSize` members drawn uniformly *with replacement*
 * from the population; every told result joins the population and, once it is full, the oldest
 * member is removed. Mutation changes exactly one slot, chosen uniformly among slots with more than
 * one choice, to a different value chosen uniformly. (R_EA.py picks a node, then an edge of it, so
 * its edges are not equally likely; uniform slots keep this strategy generic over any nvec.)
 *
 * Asynchronous, as Real et al.'s distributed version (steady state): with several workers a new
 * child is asked for whenever one frees up, from the population as told so far; results join in the
 * order they arrive. An evolutionary ask with an empty population (nothing told yet) falls back to
 * a random candidate. Signals: higher is better; ties go to the first drawn.
 */
import { z } from 'zod';
import { createRng, type Rng } from '../random';
import { checkNvec } from './random-search';
import type { Feedback, Proposal, SearchAgent } from './agent';
import { allowedValues, sampleMasked, type SlotMask } from './strategy';

export interface EvolutionOptions {
  /** Population size P (NB201: 10). */
  population?: number;
  /** Tournament size S (NB201: 3). */
  sampleSize?: number;
  seed?: number;
  /** With an action set's masks: random members and mutations stay within the allowed values. */
  slotMask?: SlotMask;
}

const MemberSchema = z.object({ action: z.array(z.number().int().nonnegative()), signal: z.number() });
export type Member = z.infer<typeof MemberSchema>;

export const EvolutionCheckpointSchema = z.object({
  kind: z.literal('evolution'),
  nvec: z.array(z.number().int().positive()).min(1),
  populationSize: z.number().int().positive(),
  sampleSize: z.number().int().positive(),
  seed: z.number().int(),
  rngState: z.number().int(),
  asked: z.number().int().nonnegative(),
  /** Oldest first. */
  population: z.array(MemberSchema),
  /** Every told result, in order. */
  history: z.array(MemberSchema),
});
export type EvolutionCheckpoint = z.infer<typeof EvolutionCheckpointSchema>;

export class RegularizedEvolution implements SearchAgent {
  readonly name = 'evolution';
  readonly nvec: readonly number[];
  readonly populationSize: number;
  readonly sampleSize: number;
  readonly seed: number;
  private readonly rng: Rng;
  private asked = 0;
  private population: Member[] = [];
  private history: Member[] = [];
  private readonly mutable: number[];
  private readonly slotMask?: SlotMask;

  constructor(nvec: readonly number[], options: EvolutionOptions = {}, restoreRngState?: number) {
    checkNvec(nvec);
    this.nvec = [...nvec];
    this.populationSize = options.population ?? 10;
    this.sampleSize = options.sampleSize ?? 3;
    this.seed = options.seed ?? 0;
    if (!Number.isInteger(this.populationSize) || this.populationSize < 1) throw new Error(`population must be a positive integer, got ${this.populationSize}`);
    if (!Number.isInteger(this.sampleSize) || this.sampleSize < 1) throw new Error(`sampleSize must be a positive integer, got ${this.sampleSize}`);
    this.rng = createRng(this.seed, restoreRngState);
    this.mutable = this.nvec.flatMap((n, i) => (n > 1 ? [i] : []));
    this.slotMask = options.slotMask;
  }

  /** Continues from a checkpoint() exactly (the same candidates follow). */
  static restore(checkpoint: unknown, slotMask?: SlotMask): RegularizedEvolution {
    const c = EvolutionCheckpointSchema.parse(checkpoint);
    const s = new RegularizedEvolution(c.nvec, { population: c.populationSize, sampleSize: c.sampleSize, seed: c.seed, slotMask }, c.rngState);
    for (const m of [...c.population, ...c.history]) s.checkAction(m.action);
    s.asked = c.asked;
    s.population = c.population.map(copy);
    s.history = c.history.map(copy);
    return s;
  }

  async ask(): Promise<Proposal> {
    return { action: this.propose() };
  }

  private propose(): number[] {
    const warmup = this.asked < this.populationSize;
    this.asked++;
    if (warmup || this.population.length === 0) {
      return this.slotMask ? sampleMasked(this.nvec, this.slotMask, this.rng.int) : this.nvec.map((n) => this.rng.int(n));
    }
    let parent = this.population[this.rng.int(this.population.length)];
    for (let i = 1; i < this.sampleSize; i++) {
      const candidate = this.population[this.rng.int(this.population.length)];
      if (candidate.signal > parent.signal) parent = candidate;
    }
    return this.mutate(parent.action);
  }

  async tell(_index: number, { action, signal }: Feedback): Promise<undefined> {
    this.checkAction(action);
    if (Number.isNaN(signal)) throw new Error('signal is NaN');
    const member = { action: [...action], signal };
    this.population.push(member);
    this.history.push({ action: [...action], signal });
    if (this.population.length > this.populationSize) this.population.shift();
    return undefined;
  }

  /**
   * A copy of `action` with exactly one slot changed to a different value. With masks, the new value
   * is an allowed one, and later slots that the change made invalid are redrawn from their masks.
   */
  mutate(action: readonly number[]): number[] {
    if (this.slotMask) return this.mutateMasked(action, this.slotMask);
    const child = [...action];
    if (this.mutable.length === 0) return child;
    const slot = this.mutable[this.rng.int(this.mutable.length)];
    const other = this.rng.int(this.nvec[slot] - 1);
    child[slot] = other >= action[slot] ? other + 1 : other;
    return child;
  }

  private mutateMasked(action: readonly number[], slotMask: SlotMask): number[] {
    const slots = this.rng.shuffle([...this.mutable]);
    for (const slot of slots) {
      const choices = allowedValues(slotMask(action.slice(0, slot))).filter((v) => v !== action[slot]);
      if (choices.length === 0) continue;
      const child = [...action.slice(0, slot), choices[this.rng.int(choices.length)]];
      for (let t = slot + 1; t < action.length; t++) {
        const mask = slotMask(child);
        const allowed = allowedValues(mask);
        child.push(mask[action[t]] ? action[t] : allowed[this.rng.int(allowed.length)]);
      }
      return child;
    }
    return [...action];
  }

  /** The current population, oldest first (copies). */
  members(): Member[] {
    return this.population.map(copy);
  }

  checkpoint(): EvolutionCheckpoint {
    return {
      kind: 'evolution',
      nvec: [...this.nvec],
      populationSize: this.populationSize,
      sampleSize: this.sampleSize,
      seed: this.seed,
      rngState: this.rng.state(),
      asked: this.asked,
      population: this.population.map(copy),
      history: this.history.map(copy),
    };
  }

  private checkAction(action: readonly number[]): void {
    if (action.length !== this.nvec.length || !action.every((a, i) => Number.isInteger(a) && a >= 0 && a < this.nvec[i])) {
      throw new Error(`action ${JSON.stringify(action)} does not fit nvec ${JSON.stringify(this.nvec)}`);
    }
  }
}

const copy = (m: Member): Member => ({ action: [...m.action], signal: m.signal });
