/**
 * An evaluator that trains nothing: each candidate takes a fixed wall time, reported as evenly
 * spaced epochs (cut short when early stopping says prune), and scores a value derived from its action alone. What the pool's benchmark and
 * tests run in real worker processes, so they measure the pool and not training.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { EpochMetrics } from '../../shared/training';
import { CandidateCancelled, type CandidateEvaluator, type CandidateOutcome, type EvaluationHooks, type EvaluationJob } from './types';

export class FixedLatencyEvaluator implements CandidateEvaluator {
  readonly settingsKey: string;

  constructor(
    private readonly latencyMs: number,
    readonly epochs: number,
  ) {
    this.settingsKey = `fixed-latency|${latencyMs}|${epochs}`;
  }

  async evaluate(job: EvaluationJob, hooks: EvaluationHooks = {}): Promise<CandidateOutcome> {
    const signal = fixedLatencySignal(job.action);
    const epochs: EpochMetrics[] = [];
    for (let epoch = 1; epoch <= this.epochs; epoch++) {
      await sleep(this.latencyMs / this.epochs, hooks.signal);
      const metrics = { epoch, trainLoss: 1 - signal, trainAccuracy: signal, validLoss: 1 - signal, validAccuracy: signal, seconds: this.latencyMs / this.epochs / 1000, imagesPerSecond: 0 };
      epochs.push(metrics);
      // Early stopping's verdict, as the training evaluator takes it: stop after this epoch.
      if (hooks.onEpoch?.(metrics) === 'prune' && epoch < this.epochs) return { status: 'pruned', signal, epochs, hash: job.hash, cached: false };
    }
    return { status: 'completed', signal, epochs, hash: job.hash, cached: false };
  }
}

/** The score of an action: the same wherever it is evaluated, so tests can check a result belongs to its job. */
export function fixedLatencySignal(action: readonly number[]): number {
  const sum = action.reduce((total, value, slot) => total + (slot + 1) * value, 0);
  return (sum % 997) / 997;
}

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    throw signal?.aborted ? new CandidateCancelled() : error;
  }
}
