/** One candidate of the open run: its architecture, its per-epoch curves and an export button. */
import { useMemo } from 'react';
import { candidateStatusText, type CandidateDetail as Detail, type RunDetail } from '../../../../shared/history';
import { ArchitectureGraph } from '../../components/ArchitectureGraph';
import { Chart } from '../../components/Chart';
import { trainingTimeAxis } from '../../components/chart-series';
import { formatNumber, formatParams, formatPercent } from '../../lib/format';
import { formatPoints, formatPrediction, predictionError, rowPrediction } from '../../lib/prediction';
import { networkInput, shortRunId } from '../../lib/runs';
import { useAppPick } from '../../store';
import { rewardPartsText } from '../analysis/reward';
import { ExportResultView } from './ExportResultView';

export function CandidateDetailPanel({ run }: { run: RunDetail }) {
  const {
    selectedCandidate: selected, candidateDetail: detail, candidateLoading: loading, historyBusy: busy,
    historyExport, exportFromHistory,
  } = useAppPick(
    'selectedCandidate', 'candidateDetail', 'candidateLoading', 'historyBusy', 'historyExport',
    'exportFromHistory',
  );

  if (selected === null) {
    return (
      <div className="candidate-detail panel empty-note muted" data-testid="candidate-detail-empty">
        Select a candidate to see its architecture and training curves.
      </div>
    );
  }
  if (!detail || detail.index !== selected) {
    return (
      <div className="candidate-detail panel muted" data-testid="candidate-detail" data-index={selected}>
        {loading ? `Loading candidate #${selected}…` : `Candidate #${selected} is gone (the run was resumed from an earlier checkpoint).`}
      </div>
    );
  }

  const exportable = detail.status === 'completed' && (detail.hasModel || detail.cachedFrom !== undefined);
  const prediction = rowPrediction(detail);
  const input = networkInput(run);

  return (
    <div className="candidate-detail panel" data-testid="candidate-detail" data-index={detail.index}>
      <div className="detail-head">
        <h3>
          Candidate #{detail.index} <span className={`cstatus cstatus-${detail.status}`}>{candidateStatusText(detail)}</span>
          {detail.cached && <span className="cached-mark">cached</span>}
        </h3>
        <button
          className="secondary"
          disabled={!exportable || busy !== null}
          title={exportable ? 'Its model.json, weights.bin and architecture.json as a zip, on your computer' : 'Only candidates whose trained weights were kept can be exported'}
          onClick={() => void exportFromHistory(detail.index)}
          data-testid="candidate-export"
        >
          {busy === 'export' ? 'Exporting…' : 'Export'}
        </button>
      </div>
      {historyExport?.scope === 'candidate' && historyExport.index === detail.index && <ExportResultView result={historyExport.result} />}
      <div className="label-line mono" title={detail.label}>
        {detail.label}
      </div>
      <dl className="facts">
        <dt>Val</dt>
        <dd>{formatPercent(detail.validAcc)}</dd>
        {prediction && (
          <>
            <dt>Predicted</dt>
            <dd data-testid="candidate-prediction">
              {formatPrediction(prediction, 2)}
              {detail.status !== 'running' && detail.status !== 'pruned' && <span className="muted"> · error {formatPoints(predictionError(prediction, detail.validAcc), { digits: 2 })}</span>}
            </dd>
          </>
        )}
        <dt>Test</dt>
        <dd>{formatPercent(detail.testAcc)}</dd>
        <dt>Reward</dt>
        <dd>
          {formatNumber(detail.reward)}
          {detail.rewardParts && (
            <span className="muted small-note" data-testid="candidate-reward-parts">
              {' '}
              = {rewardPartsText(detail.rewardParts)}
            </span>
          )}
        </dd>
        <dt>Params</dt>
        <dd>{formatParams(detail.params)}</dd>
        <dt>Seconds</dt>
        <dd>{formatNumber(detail.seconds, 1)}</dd>
        {detail.cachedFrom && (
          <>
            <dt>Result from</dt>
            <dd className="mono">
              {shortRunId(detail.cachedFrom.runId)} #{detail.cachedFrom.index}
            </dd>
          </>
        )}
        {detail.error && (
          <>
            <dt>Error</dt>
            <dd className="error">{detail.error}</dd>
          </>
        )}
      </dl>
      {detail.architecture !== null && detail.architecture !== undefined ? (
        <ArchitectureGraph architecture={detail.architecture} height={220} testId="candidate-graph" inputShape={input?.inputShape} numClasses={input?.numClasses} />
      ) : (
        <div className="muted">No architecture recorded.</div>
      )}
      <EpochCurves detail={detail} />
    </div>
  );
}

function EpochCurves({ detail }: { detail: Detail }) {
  const curves = useMemo(() => {
    const e = detail.epochs;
    return {
      x: e.map((m) => m.epoch),
      time: trainingTimeAxis(e),
      loss: [
        { label: 'train loss', values: e.map((m) => m.trainLoss) },
        { label: 'val loss', values: e.map((m) => m.validLoss) },
      ],
      accuracy: [
        { label: 'train acc', values: e.map((m) => m.trainAccuracy) },
        { label: 'val acc', values: e.map((m) => m.validAccuracy) },
        // Selective backprop: the share of each epoch's samples trained on.
        ...(e.some((m) => m.backpropShare !== undefined) ? [{ label: 'backpropagated', values: e.map((m) => m.backpropShare ?? Number.NaN) }] : []),
      ],
    };
  }, [detail]);
  if (detail.epochs.length === 0) {
    return <div className="muted small-note">No per-epoch curves: this candidate was {detail.cached ? 'a cached result' : 'scored without training (a benchmark lookup)'}.</div>;
  }
  const pruned = detail.status === 'pruned' ? ` (${candidateStatusText(detail)})` : '';
  return (
    <div className="curves">
      <Chart title={`Loss${pruned}`} x={curves.x} xAlternatives={curves.time} series={curves.loss} xLabel="epoch" yLabel="loss (cross-entropy)" logToggle height={160} testId="chart-candidate-loss" />
      <Chart title={`Accuracy${pruned}`} x={curves.x} xAlternatives={curves.time} series={curves.accuracy} xLabel="epoch" yLabel="accuracy" yPercent height={160} testId="chart-candidate-accuracy" />
    </div>
  );
}
