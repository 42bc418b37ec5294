/**
 * The Tune view's pure logic: one training's curves and hyperparameters on one time axis (epochs), the
 * interventions on it, the controller's learning curve, the controller-vs-baselines table, and the
 * words for a decision. No React, no API: unit-tested in test/renderer/tune-model.test.ts.
 */
import { OPTIMIZERS } from '../../../../shared/training';
import type { ControllerSummary, EpisodeOutcome, Hyperparameters, ScheduleName, TuneDecision, TuneEpoch, TuneSessionSummary } from '../../../../shared/tuning';

/** What a training has reported so far (a finished outcome, or the live points of one in progress). */
export interface TrainingTrace {
  epochs: TuneEpoch[];
  decisions: TuneDecision[];
}

/** A training on the epoch axis: losses and accuracy at epoch ends; hyperparameters as steps, from 0 on. */
export interface Timeline {
  /** Epochs (fractional at mid-epoch decisions), ascending, starting at 0. */
  x: number[];
  trainLoss: Array<number | null>;
  validLoss: Array<number | null>;
  validAccuracy: Array<number | null>;
  /** In force from each x until the next. */
  learningRate: number[];
  /** Index into OPTIMIZERS. */
  optimizer: number[];
  dropout: number[];
  weightDecay: number[];
  /** Where the controller intervened. */
  interventions: number[];
}

/** A decision's place on the epoch axis. */
export function decisionX(decision: TuneDecision, totalEpochs: number): number {
  return round(decision.progress * totalEpochs);
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * One training's timeline. At a point where an epoch ends and the controller decides, the
 * hyperparameters shown from there on are the decision's (what the next interval trains with).
 */
export function timeline(trace: TrainingTrace, totalEpochs: number, initial: Hyperparameters): Timeline {
  const points = new Map<number, { epoch?: TuneEpoch; decision?: TuneDecision }>();
  const at = (x: number) => points.get(x) ?? (points.set(x, {}), points.get(x)!);
  at(0);
  for (const epoch of trace.epochs) at(epoch.epoch).epoch = epoch;
  for (const decision of trace.decisions) at(decisionX(decision, totalEpochs)).decision = decision;
  const x = [...points.keys()].sort((a, b) => a - b);
  const out: Timeline = { x, trainLoss: [], validLoss: [], validAccuracy: [], learningRate: [], optimizer: [], dropout: [], weightDecay: [], interventions: [] };
  let current = initial;
  for (const value of x) {
    const { epoch, decision } = points.get(value)!;
    out.trainLoss.push(finite(epoch?.trainLoss));
    out.validLoss.push(finite(epoch?.validLoss));
    out.validAccuracy.push(epoch ? epoch.validAccuracy : null);
    current = decision?.hyperparameters ?? epoch?.hyperparameters ?? current;
    out.learningRate.push(current.learningRate);
    out.optimizer.push(OPTIMIZERS.indexOf(current.optimizer));
    out.dropout.push(current.dropout);
    out.weightDecay.push(current.weightDecay);
    if (decision?.intervened) out.interventions.push(value);
  }
  return out;
}

function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

/** Several timelines on one x axis: each key's values at every x of any of them (null where one has none). */
export function alignTimelines<K extends keyof Timeline>(lines: ReadonlyArray<{ label: string; line: Timeline }>, key: K): { x: number[]; series: Array<{ label: string; values: Array<number | null> }> } {
  const x = [...new Set(lines.flatMap((l) => l.line.x))].sort((a, b) => a - b);
  const series = lines.map(({ label, line }) => {
    const byX = new Map(line.x.map((v, i) => [v, (line[key] as Array<number | null>)[i]]));
    return { label, values: x.map((v) => byX.get(v) ?? null) };
  });
  return { x, series };
}

/**
 * Words for a decision: when, what changed and why it acted ("epoch 2 · lr ×0.1 → 1.0e-4 · …").
 * `before`: the hyperparameters it started from (a switch to the optimizer in use changes nothing).
 */
export function describeDecision(decision: TuneDecision, totalEpochs: number, before?: Hyperparameters): string {
  const when = `epoch ${formatEpoch(decisionX(decision, totalEpochs))}`;
  const odds = `P ${decision.interveneProbability.toFixed(2)} ${decision.intervened ? '>' : '≤'} threshold ${decision.threshold.toFixed(2)}`;
  if (!decision.intervened || !decision.change) return `${when} · no change (${odds})`;
  const { change, hyperparameters: h } = decision;
  const parts: string[] = [];
  if (change.lrFactor !== 1) parts.push(`lr ×${change.lrFactor} → ${formatRate(h.learningRate)}`);
  if (change.optimizer !== 'keep' && change.optimizer !== before?.optimizer) parts.push(`optimizer → ${change.optimizer}`);
  if (change.dropoutDelta !== 0) parts.push(`dropout ${change.dropoutDelta > 0 ? '+' : '−'}${Math.abs(change.dropoutDelta)} → ${h.dropout.toFixed(2)}`);
  if (change.weightDecayFactor !== 1) parts.push(`weight decay ×${change.weightDecayFactor} → ${formatRate(h.weightDecay)}`);
  return `${when} · ${parts.length ? parts.join(' · ') : 'intervened, nothing changed'} (${odds})`;
}

export function formatEpoch(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

/** A rate in the short form people read: 1.0e-3, 0 as 0. */
export function formatRate(value: number): string {
  return value === 0 ? '0' : value.toExponential(1);
}

/** Each decision with the hyperparameters in force before it (the previous decision's, or the start). */
export function withBefore(decisions: readonly TuneDecision[], initial: Hyperparameters): Array<{ decision: TuneDecision; before: Hyperparameters }> {
  return decisions.map((decision, i) => ({ decision, before: i === 0 ? initial : decisions[i - 1].hyperparameters }));
}

/** One row of the controller-vs-baselines table: a schedule over its seeds. */
export interface ScheduleRow {
  schedule: ScheduleName;
  /** Seeds finished / planned. */
  done: number;
  planned: number;
  /** Test accuracy over the finished seeds (std is the sample std; 0 for one seed). */
  testMean: number | null;
  testStd: number | null;
  validMean: number | null;
  interventionsMean: number | null;
  secondsMean: number | null;
  diverged: number;
  /** The highest mean test accuracy of the table. */
  best: boolean;
}

/** The schedules of a session, the controller first, each over its seeds. */
export function compareSchedules(session: Pick<TuneSessionSummary, 'schedules'>): ScheduleRow[] {
  const order: ScheduleName[] = [];
  for (const s of session.schedules) if (!order.includes(s.schedule)) order.push(s.schedule);
  order.sort((a, b) => (a === 'controller' ? -1 : b === 'controller' ? 1 : 0));
  const rows = order.map((schedule): ScheduleRow => {
    const planned = session.schedules.filter((s) => s.schedule === schedule);
    const outcomes = planned.map((s) => s.outcome).filter((o): o is EpisodeOutcome => o !== undefined);
    const tests = outcomes.map((o) => o.testAccuracy).filter((t): t is number => t !== undefined);
    const { mean, std } = meanStd(tests);
    return {
      schedule,
      done: outcomes.length,
      planned: planned.length,
      testMean: mean,
      testStd: std,
      validMean: meanStd(outcomes.map((o) => o.finalValidAccuracy)).mean,
      interventionsMean: schedule === 'controller' ? meanStd(outcomes.map((o) => o.decisions.filter((d) => d.intervened).length)).mean : null,
      secondsMean: meanStd(outcomes.map((o) => o.seconds)).mean,
      diverged: outcomes.filter((o) => o.status === 'diverged').length,
      best: false,
    };
  });
  const top = Math.max(...rows.map((r) => r.testMean ?? -Infinity));
  for (const row of rows) row.best = Number.isFinite(top) && row.testMean === top;
  return rows;
}

export function meanStd(values: readonly number[]): { mean: number | null; std: number | null } {
  if (values.length === 0) return { mean: null, std: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, std: 0 };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** "91.23% ± 0.45" (percent points), or – when there is nothing yet. */
export function formatAccuracy(mean: number | null, std: number | null): string {
  if (mean === null) return '–';
  return std === null ? `${(mean * 100).toFixed(2)}%` : `${(mean * 100).toFixed(2)}% ± ${(std * 100).toFixed(2)}`;
}

/** The controller's learning curve as chart series (x: episode). */
export function learningCurve(curve: ControllerSummary['curve']): {
  x: number[];
  returns: Array<number | null>;
  validAccuracy: Array<number | null>;
  interventions: Array<number | null>;
  threshold: Array<number | null>;
} {
  return {
    x: curve.map((p) => p.episode),
    returns: curve.map((p) => finite(p.return)),
    validAccuracy: curve.map((p) => finite(p.finalValidAccuracy)),
    interventions: curve.map((p) => p.interventions),
    threshold: curve.map((p) => finite(p.threshold)),
  };
}

/** The label of a schedule in tables and legends. */
export const SCHEDULE_LABELS: Record<ScheduleName, string> = {
  controller: 'controller',
  constant: 'constant',
  cosine: 'cosine decay',
  step: 'step decay',
  'best-constant': 'best constant (grid)',
};
