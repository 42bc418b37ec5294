/**
 * Scores a network by training it on real data (the foundation's trainer), with a replay
 * dictionary: an architecture already trained under the same settings is never trained again.
 */
import { architectureHash, canonicalJson } from '../../shared/architecture';
import type { LayerSpec } from '../../shared/layers';
import type { TrainingConfig } from '../../shared/training';
import { datasetFingerprint } from '../data';
import type { PreparedData } from '../data/types';
import type { ModelArtifact } from '../model/artifact';
import { captureModel } from '../model/capture';
import { trainCandidate } from '../train/candidate';
import type { CandidateEvaluator, CandidateOutcome, EvaluationHooks } from './types';

export interface TrainingEvaluatorOptions {
  /** Also measure test accuracy of every completed candidate (for reports; never the signal). */
  evaluateTest?: boolean;
  /** Capture each completed candidate's trained weights (read them with `takeModel`). */
  captureModels?: boolean;
}

export class TrainingEvaluator implements CandidateEvaluator {
  readonly settingsKey: string;
  private readonly replay = new Map<string, CandidateOutcome>();
  private lastModel?: ModelArtifact;

  constructor(
    private readonly data: PreparedData,
    private readonly config: TrainingConfig,
    private readonly options: TrainingEvaluatorOptions = {},
  ) {
    this.settingsKey = `${datasetFingerprint(data)}|${canonicalJson(config)}`;
  }

  get epochs(): number {
    return this.config.epochs;
  }

  get inputShape(): readonly [number, number, number] {
    return this.data.dataset.inputShape;
  }

  /** Number of distinct architectures trained (or failed to build) so far. */
  get distinctEvaluated(): number {
    return this.replay.size;
  }

  /** Results of earlier runs under the same settings (`settingsKey`): they count as already trained. */
  preload(outcomes: Iterable<Omit<CandidateOutcome, 'cached'>>): void {
    for (const outcome of outcomes) if (!this.replay.has(outcome.hash)) this.replay.set(outcome.hash, { ...outcome, cached: false });
  }

  /** The weights of the candidate trained last, once (undefined after a cached or failed one). */
  takeModel(): ModelArtifact | undefined {
    const model = this.lastModel;
    this.lastModel = undefined;
    return model;
  }

  async evaluate(layers: LayerSpec[], hooks: EvaluationHooks = {}): Promise<CandidateOutcome> {
    this.lastModel = undefined;
    const hash = architectureHash(layers);
    const known = this.replay.get(hash);
    if (known) return { ...known, cached: true };
    const result = await trainCandidate({ layers }, this.data, this.config, {
      signal: hooks.signal,
      onEpoch: hooks.onEpoch,
      evaluateTest: this.options.evaluateTest,
      onTrained: this.options.captureModels ? async (model) => void (this.lastModel = await captureModel(model)) : undefined,
    });
    let outcome: CandidateOutcome;
    if (result.status === 'failed') {
      outcome = { status: 'failed', signal: 0, epochs: [], error: result.error, hash, cached: false };
    } else if (result.status === 'cancelled') {
      throw new DOMException('candidate training was cancelled', 'AbortError');
    } else {
      const last = result.training.epochs.at(-1);
      outcome = {
        status: result.status,
        signal: result.status === 'completed' ? (last?.validAccuracy ?? 0) : 0,
        epochs: result.training.epochs,
        params: result.params,
        testAccuracy: result.test?.accuracy,
        error: result.status === 'diverged' ? `loss became ${result.training.divergence?.loss} at epoch ${result.training.divergence?.epoch}` : undefined,
        hash,
        cached: false,
      };
    }
    this.replay.set(hash, outcome);
    return outcome;
  }
}
