import { parseArchitecture } from '../../src/shared/architecture';
import { inferShapes } from '../../src/shared/shapes';
import { CandidateCancelled, type CandidateEvaluator, type CandidateOutcome, type EvaluationHooks, type EvaluationJob } from '../../src/engine/evaluators/types';

/**
 * Scores a network by its depth (deeper = better) after checking that it builds; counts calls.
 * Reports two epochs, and stops when the search is cancelled, as the training evaluator does.
 */
export class FakeEvaluator implements CandidateEvaluator {
  readonly settingsKey = 'fake';
  readonly epochs = 2;
  calls = 0;
  constructor(readonly inputShape: [number, number, number] = [28, 28, 1]) {}
  async evaluate(job: EvaluationJob, hooks: EvaluationHooks = {}): Promise<CandidateOutcome> {
    if (hooks.signal?.aborted) throw new CandidateCancelled();
    this.calls++;
    const { layers } = parseArchitecture(job.architecture);
    const params = inferShapes({ layers }, this.inputShape, 10).totalParams; // throws if unbuildable
    const epochs = [1, 2].map((e) => ({ epoch: e, trainLoss: 1 / e, trainAccuracy: 0.5, validLoss: 1.5 / e, validAccuracy: 0.1 * layers.length, seconds: 1, imagesPerSecond: 1 }));
    for (const metrics of epochs) hooks.onEpoch?.(metrics);
    return { status: 'completed', signal: 0.1 * layers.length, epochs, params, hash: job.hash, cached: false };
  }
}

/** An evaluator whose evaluations finish when the test says so (to control the order results arrive in). */
export class ControlledEvaluator implements CandidateEvaluator {
  readonly settingsKey = 'controlled';
  readonly epochs = 0;
  readonly started: EvaluationJob[] = [];
  private readonly waiting = new Map<number, { resolve: (o: CandidateOutcome) => void; reject: (e: unknown) => void }>();
  private startedListeners: Array<() => void> = [];

  evaluate(job: EvaluationJob, hooks: EvaluationHooks = {}): Promise<CandidateOutcome> {
    this.started.push(job);
    for (const listener of this.startedListeners.splice(0)) listener();
    return new Promise((resolve, reject) => {
      this.waiting.set(job.index, { resolve, reject });
      hooks.signal?.addEventListener('abort', () => reject(new CandidateCancelled()), { once: true });
    });
  }

  /** Resolves once `n` evaluations have started. */
  async whenStarted(n: number): Promise<void> {
    while (this.started.length < n) await new Promise<void>((resolve) => this.startedListeners.push(resolve));
  }

  finish(index: number, signal: number): void {
    const job = this.started.find((j) => j.index === index)!;
    this.take(index).resolve({ status: 'completed', signal, epochs: [], hash: job.hash, cached: false });
  }

  fail(index: number, error: Error): void {
    this.take(index).reject(error);
  }

  private take(index: number) {
    const waiting = this.waiting.get(index);
    if (!waiting) throw new Error(`candidate ${index} is not being evaluated`);
    this.waiting.delete(index);
    return waiting;
  }
}
