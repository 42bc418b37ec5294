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
