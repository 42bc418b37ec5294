/**
 * MetaQNN's replay dictionary: an architecture already evaluated under the same settings is not
 * evaluated again; its earlier outcome is reused and reported as cached. It holds this run's
 * outcomes and those main sends before the run starts (earlier runs under the same settings, or
 * this run's own before a resume). Pruned outcomes are never served (see `remember`).
 */
import type { CandidateOutcome } from '../evaluators/types';

export class ReplayCache {
  private readonly known = new Map<string, CandidateOutcome>();

  /** Outcomes from before this session; the first for each hash wins. */
  preload(outcomes: Iterable<Omit<CandidateOutcome, 'cached' | 'model'>>): void {
    for (const outcome of outcomes) if (!this.known.has(outcome.hash)) this.known.set(outcome.hash, { ...outcome, cached: false });
  }

  /** The outcome to reuse for an architecture, marked cached, without its weights (they belong to the first). */
  lookup(hash: string): CandidateOutcome | undefined {
    const known = this.known.get(hash);
    if (!known) return undefined;
    const { model: _model, ...outcome } = known;
    return { ...outcome, cached: true };
  }

  /** A fresh outcome; kept once per architecture. */
  remember(outcome: CandidateOutcome): void {
    if (outcome.cached || this.known.has(outcome.hash)) return;
    const { model: _model, ...kept } = outcome;
    this.known.set(outcome.hash, kept);
  }

  get size(): number {
    return this.known.size;
  }
}
