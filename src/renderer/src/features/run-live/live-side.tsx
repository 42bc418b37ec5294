/**
 * The live view's side panel: the candidates in flight, the leaderboard, the predictor's record and
 * the best candidate so far. Each is memoized on the slice of the run it draws.
 */
import { memo } from 'react';
import type { RunConfig } from '../../../../shared/run-config';
import { ArchitectureGraph } from '../../components/ArchitectureGraph';
import { formatPoints, formatPrediction, predictionError, predictorError } from '../../lib/prediction';
import type { SeriesColumns } from './live-columns';
import { num, pct } from './live-display';
import type { LeaderboardEntry, LiveCandidate } from './live-run';

function TableHead({ names }: { names: string[] }) {
  return (
    <thead>
      <tr>
        {names.map((name) => (
          <th key={name}>{name}</th>
        ))}
      </tr>
    </thead>
  );
}

/** A table's one row when it has nothing to list. */
function EmptyRow({ columns, children }: { columns: number; children: string }) {
  return (
    <tr>
      <td colSpan={columns} className="muted">
        {children}
      </td>
    </tr>
  );
}

/** Every candidate being evaluated (one per worker), each with its latest epoch. */
export const InFlight = memo(function InFlight({ candidates, config, predicts }: { candidates: LiveCandidate[]; config: RunConfig | null; predicts: boolean }) {
  const training = config?.evaluator !== 'nb201';
  return (
    <div className="live-leaderboard live-in-flight">
      <h3>
        In flight <span className="muted">{config ? `${candidates.length} of ${config.workers} workers busy` : candidates.length}</span>
      </h3>
      <table data-testid="live-in-flight">
        <TableHead names={['#', 'epoch', 'val', ...(predicts ? ['predicted'] : []), 'architecture']} />
        <tbody>
          {candidates.map((c) => {
            const last = c.epochs[c.epochs.length - 1];
            return (
              <tr key={c.index} data-testid="in-flight-row" data-index={c.index}>
                <td>{c.index}</td>
                <td>{training ? `${last?.epoch ?? 0} / ${config?.training.epochs ?? '?'}` : '—'}</td>
                <td>{pct(last?.validAccuracy)}</td>
                {predicts && <td>{formatPrediction(c.prediction)}</td>}
                <td className="live-label-cell" title={c.label}>
                  {c.label}
                </td>
              </tr>
            );
          })}
          {candidates.length === 0 && <EmptyRow columns={predicts ? 5 : 4}>no candidate in flight</EmptyRow>}
        </tbody>
      </table>
    </div>
  );
});

/** The predictor's columns: its estimate and its error (predicted − real), beside the real result. */
const PREDICTION_COLUMNS = ['predicted', 'error'];

export const Leaderboard = memo(function Leaderboard({ entries, predicts }: { entries: LeaderboardEntry[]; predicts: boolean }) {
  return (
    <div className="live-leaderboard">
      <h3>Leaderboard</h3>
      <table data-testid="live-leaderboard">
        <TableHead names={['#', 'val', ...(predicts ? PREDICTION_COLUMNS : []), 'test', 'params', 'architecture']} />
        <tbody>
          {entries.map((e) => (
            <tr key={e.index} data-testid="leaderboard-row" data-index={e.index} className={e.status === 'completed' ? undefined : 'muted'}>
              <td>{e.index}</td>
              <td>{pct(e.validAcc, 2)}</td>
              {predicts && (
                <>
                  <td data-testid="leaderboard-predicted">{formatPrediction(e.prediction)}</td>
                  <td>{formatPoints(predictionError(e.prediction, e.validAcc))}</td>
                </>
              )}
              <td>{pct(e.testAcc, 2)}</td>
              <td>{num(e.params)}</td>
              <td className="live-label-cell" title={`${e.label}${e.cached ? '\ncached: the result of an earlier evaluation of this architecture' : ''}`}>
                {e.cached ? <span className="live-cached">cached</span> : null}
                {e.status !== 'completed' ? <span className="live-cached">{e.status}</span> : null}
                {e.label}
              </td>
            </tr>
          ))}
          {entries.length === 0 && <EmptyRow columns={predicts ? 7 : 5}>no finished candidate yet</EmptyRow>}
        </tbody>
      </table>
    </div>
  );
});

/** How the predictor's estimates compare with the results so far. */
// `n` (the columns' length) is what changes: the columns themselves are appended in place.
export const PredictorSummary = memo(function PredictorSummary({ series }: { series: SeriesColumns; n: number }) {
  const error = predictorError(series.predicted, series.predictedStd, series.signal);
  return (
    <div className="live-predictor" data-testid="live-predictor-error">
      <h3>Predictor</h3>
      {error ? (
        <div className="live-note">
          {error.n} candidate{error.n === 1 ? '' : 's'} · mean abs. error <strong>{formatPoints(error.meanAbsoluteError, { signed: false })}</strong> · bias {formatPoints(error.bias)} · rank
          correlation <strong>{error.rankCorrelation === null ? '–' : error.rankCorrelation.toFixed(2)}</strong> · {Math.round(error.withinOneStd * 100)}% within ±1 std
        </div>
      ) : (
        <div className="muted live-note">no candidate with an estimate has finished yet (the first proposals come before the predictor has results to learn from)</div>
      )}
    </div>
  );
});

export const BestCandidate = memo(function BestCandidate(props: { candidate: LiveCandidate | null; inputShape?: [number, number, number]; numClasses?: number }) {
  const { candidate } = props;
  if (!candidate) return null;
  return (
    <div className="live-best">
      <h3>
        Best so far: #{candidate.index} <span className="muted">val {pct(candidate.signal, 2)}</span>
      </h3>
      <ArchitectureGraph architecture={candidate.architecture} height={150} testId="live-best-graph" inputShape={props.inputShape} numClasses={props.numClasses} />
    </div>
  );
});
