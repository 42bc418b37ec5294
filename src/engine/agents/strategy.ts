/**
 * A search strategy in ask/tell form (as Optuna and Nevergrad): the search loop asks for the next
 * candidate, evaluates it however it likes, and tells the strategy the signal it got. Every
 * strategy (PPO, random, evolution) proposes MultiDiscrete action vectors, one choice per slot.
 */
export interface SearchStrategy {
  readonly name: string;
  /** The next candidate: one index per slot, each < nvec[slot]. */
  ask(): Promise<number[]>;
  /** The search signal (higher is better) of a candidate `ask` returned. */
  tell(action: number[], signal: number): Promise<void>;
  /** Everything needed to continue exactly where it is (for checkpoints); JSON-serialisable. */
  checkpoint(): unknown;
}

/** The allowed values of slot `prefix.length` given the earlier slots (an action set's grammar). */
export type SlotMask = (prefix: readonly number[]) => boolean[];

/** Uniform over the allowed values of each slot in turn, from slot `prefix.length` on. */
export function sampleMasked(nvec: readonly number[], slotMask: SlotMask, next: (n: number) => number, prefix: readonly number[] = []): number[] {
  const action = [...prefix];
  while (action.length < nvec.length) {
    const allowed = allowedValues(slotMask(action));
    if (allowed.length === 0) throw new Error(`no allowed value for slot ${action.length + 1} after ${JSON.stringify(action)}`);
    action.push(allowed[next(allowed.length)]);
  }
  return action;
}

export function allowedValues(mask: readonly boolean[]): number[] {
  return mask.flatMap((ok, value) => (ok ? [value] : []));
}
