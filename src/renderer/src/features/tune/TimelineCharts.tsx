/**
 * A steered training on one time axis (epochs): validation accuracy and losses on top, then the
 * learning rate (log), optimizer, dropout and weight decay in force beneath, each chart over the same
 * epochs; every intervention of the controller is a dashed line across all of them. Baselines, when
 * given, are drawn beside the controller in the accuracy, loss and learning-rate charts.
 */
import { useMemo } from 'react';
import { OPTIMIZERS } from '../../../../shared/training';
import { HYPERPARAMETER_BOUNDS, type Hyperparameters, type ScheduleName } from '../../../../shared/tuning';
import { Chart, CHART_COLORS } from '../../components/Chart';
import { alignTimelines, SCHEDULE_LABELS, timeline, type Timeline, type TrainingTrace } from './model';

export interface ScheduleTrace {
  schedule: ScheduleName;
  trace: TrainingTrace;
}

const SCHEDULE_COLORS: Record<ScheduleName, string> = {
  controller: CHART_COLORS[0],
  constant: CHART_COLORS[5],
  cosine: CHART_COLORS[2],
  step: CHART_COLORS[4],
  'best-constant': CHART_COLORS[6],
};

/** Below the smallest rate a controller may set (HYPERPARAMETER_BOUNDS): not drawn. */
const MIN_SHOWN_RATE = HYPERPARAMETER_BOUNDS.learningRate.min / 10;
/** One y-axis width for every chart of the stack, so that their epochs line up. */
const Y_AXIS = 92;

export function TimelineCharts({ traces, totalEpochs, initial, testId = 'tune-charts' }: { traces: ScheduleTrace[]; totalEpochs: number; initial: Hyperparameters; testId?: string }) {
  const lines = useMemo(() => traces.map((t) => ({ schedule: t.schedule, line: timeline(t.trace, totalEpochs, initial) })), [traces, totalEpochs, initial]);
  const controller = lines.find((l) => l.schedule === 'controller')?.line;
  const labelled = lines.map((l) => ({ label: SCHEDULE_LABELS[l.schedule], line: l.line, schedule: l.schedule }));
  const range = [0, totalEpochs] as const;
  const marks = { values: controller?.interventions ?? [] };
  const xLabel = 'epoch';

  const overlay = (key: keyof Timeline, extra: Partial<{ stepped: boolean; dash: boolean }> = {}) => {
    const { x, series } = alignTimelines(labelled, key);
    return {
      x,
      series: series.map((s, i) => ({ ...s, color: SCHEDULE_COLORS[labelled[i].schedule], stepped: extra.stepped, ...(extra.dash && labelled[i].schedule !== 'controller' ? { dash: [5, 4] } : {}) })),
    };
  };
  const accuracy = overlay('validAccuracy');
  const lr = overlay('learningRate', { stepped: true });
  // Cosine decay ends at (nearly) 0, a rate that trains nothing and has no place on a log axis.
  for (const s of lr.series) s.values = s.values.map((v) => (v !== null && v >= MIN_SHOWN_RATE ? v : null));
  const loss = (() => {
    const train = alignTimelines(labelled.filter((l) => l.schedule === 'controller'), 'trainLoss');
    const valid = alignTimelines(labelled, 'validLoss');
    const byX = new Map(train.x.map((x, i) => [x, i]));
    return {
      x: valid.x,
      series: [
        ...train.series.map((s) => ({ label: 'controller train', color: SCHEDULE_COLORS.controller, dash: [2, 3], values: valid.x.map((x) => (byX.has(x) ? s.values[byX.get(x)!] : null)) })),
        ...valid.series.map((s, i) => ({ ...s, label: `${s.label} valid`, color: SCHEDULE_COLORS[labelled[i].schedule] })),
      ],
    };
  })();

  // Every chart of the stack shares the epoch axis, its range, the intervention lines and the y-axis width.
  const axis = { xLabel, xRange: range, xMarks: marks, yAxisWidth: Y_AXIS };
  const controllerLine = (values: Array<number | null>) => [{ label: 'controller', values, stepped: true, color: SCHEDULE_COLORS.controller }];

  return (
    <div className="tune-timeline" data-testid={testId} data-interventions={marks.values.length}>
      <Chart testId="tune-chart-accuracy" title="Validation accuracy" x={accuracy.x} series={accuracy.series} yPercent {...axis} height={190} />
      <Chart testId="tune-chart-loss" title="Loss" x={loss.x} series={loss.series} logToggle {...axis} height={170} />
      <Chart testId="tune-chart-lr" title="Learning rate" x={lr.x} series={lr.series} yLogScale {...axis} height={150} />
      {controller && (
        <>
          <Chart testId="tune-chart-optimizer" title="Optimizer" x={controller.x} series={controllerLine(controller.optimizer)} yCategories={OPTIMIZERS} {...axis} height={130} />
          <Chart testId="tune-chart-dropout" title="Dropout" x={controller.x} series={controllerLine(controller.dropout)} {...axis} height={120} />
          <Chart testId="tune-chart-weight-decay" yExponent title="Weight decay" x={controller.x} series={controllerLine(controller.weightDecay)} {...axis} height={120} />
        </>
      )}
      <div className="tune-chart-key muted">Dashed vertical lines: the controller&apos;s interventions ({marks.values.length}).</div>
    </div>
  );
}
