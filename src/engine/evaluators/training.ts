/**
 * Scores a network by training it on real data (the foundation's trainer). Replay of earlier
 * results is the search loop's job (its replay cache), so every job this gets is trained.
 */
import { ArchitectureError, canonicalJson, parseArchitecture, type Architecture } from '../../shared/architecture';
import type { TrainingConfig } from '../../shared/training';
import { datasetFingerprint } from '../data';
import type { PreparedData } from '../data/types';
import { captureModel } from '../model/capture';
import { trainCandidate } from '../train/candidate';
import { CandidateCancelled, type CandidateEvaluator, type CandidateOutcome, type EvaluationHooks, type EvaluationJob } from './types';

export interface TrainingEvaluatorOptions {
  /** Also measure test accuracy of every completed candidate (for reports; never the signal). */
  evaluateTest?: boolean;
  /** Return each completed candidate's trained weights with its outcome. */
  captureModels?: boolean;
}

export class TrainingEvaluator implements CandidateEvaluator {
  readonly settingsKey: string;

  constructor(
    private readonly data: PreparedData,
    private readonly config: TrainingConfig,
    private readonly options: TrainingEvaluatorOptions = {},
  ) {
    this.settingsKey = trainingSettingsKey(data, config);
  }

  get epochs(): number {
    return this.config.epochs;
  }

  get inputShape(): readonly [number, number, number] {
    return this.data.dataset.inputShape;
  }

  async evaluate(job: EvaluationJob, hooks: EvaluationHooks = {}): Promise<CandidateOutcome> {
    let architecture: Architecture;
    try {
      architecture = parseArchitecture(job.architecture);
    } catch (error) {
      if (!(error instanceof ArchitectureError)) throw error;
      return { status: 'failed', signal: 0, epochs: [], error: error.message, hash: job.hash, cached: false };
    }
    let model: CandidateOutcome['model'];
    const result = await trainCandidate(architecture, this.data, this.config, {
      signal: hooks.signal,
      onEpoch: hooks.onEpoch,
      evaluateTest: this.options.evaluateTest,
      onTrained: this.options.captureModels ? async (trained) => void (model = await captureModel(trained)) : undefined,
    });
    const hash = result.hash;
    if (result.status === 'failed') return { status: 'failed', signal: 0, epochs: [], error: result.error, hash, cached: false };
    if (result.status === 'cancelled') throw new CandidateCancelled();
    const last = result.training.epochs.at(-1);
    return {
      status: result.status,
      signal: result.status === 'completed' ? (last?.validAccuracy ?? 0) : 0,
      epochs: result.training.epochs,
      params: result.params,
      testAccuracy: result.test?.accuracy,
      error: result.status === 'diverged' ? `loss became ${result.training.divergence?.loss} at epoch ${result.training.divergence?.epoch}` : undefined,
      hash,
      cached: false,
      model,
    };
  }
}

/** Equal keys mean comparable results: the dataset as prepared and the training settings. */
export function trainingSettingsKey(data: PreparedData, config: TrainingConfig): string {
  return `${datasetFingerprint(data)}|${canonicalJson(config)}`;
}
