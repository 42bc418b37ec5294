/** Which choices matter: per slot, layer kind and parameter value, the mean accuracy of the candidates that chose it with its 95% interval. */
import { useMemo } from 'react';
import { formatPercent } from '../../lib/format';
import { useAppPick } from '../../store';
import { choiceEffects, uniqueCompleted } from './choices';

export function ChoiceEffectsView() {
  const { analysisCandidates: candidates, analysisSlots: slots } = useAppPick(
    'analysisCandidates', 'analysisSlots',
  );
  const groups = useMemo(() => (slots ? choiceEffects(candidates, slots) : []), [candidates, slots]);
  const counted = useMemo(() => uniqueCompleted(candidates).length, [candidates]);
  // One scale for every bar: the range the intervals and means cover.
  const scale = useMemo(() => {
    const ends = groups.flatMap((g) => g.effects.flatMap((e) => [e.low ?? e.mean, e.high ?? e.mean]));
    const low = Math.max(0, Math.min(...ends));
    const high = Math.min(1, Math.max(...ends));
    return { low, span: Math.max(1e-9, high - low) };
  }, [groups]);
  const at = (v: number) => `${(100 * Math.min(1, Math.max(0, (v - scale.low) / scale.span))).toFixed(2)}%`;

  if (groups.length === 0) {
    return (
      <div className="muted empty-note" data-testid="choices-empty">
        Not enough variety yet: every completed candidate made the same choices, or there are none.
      </div>
    );
  }
  return (
    <div className="choices" data-testid="choices-view">
      <div className="muted small-note">
        Mean validation accuracy of the candidates that made each choice, with its 95% t interval, over {counted} completed architectures (each counted once).
        Groups whose choice moves the mean most come first; a value with one candidate has no interval, and an interval is cut at 0% and 100%.
      </div>
      {groups.map((group) => (
        <table key={group.group} className="analysis-table choice-group" data-testid="choice-group" data-group={group.group}>
          <thead>
            <tr>
              <th className="choice-name">
                {group.group} <span className="muted">· spread {formatPercent(group.spread, 1)}</span>
              </th>
              <th className="num col-n">n</th>
              <th className="num col-mean">mean</th>
              <th className="num col-interval">95% interval</th>
              <th className="choice-bar-cell" />
            </tr>
          </thead>
          <tbody>
            {group.effects.map((effect) => (
              <tr key={effect.value} data-testid="choice-row" data-value={effect.value}>
                <td className="mono choice-name" title={effect.value}>
                  {effect.value}
                </td>
                <td className="num">{effect.n}</td>
                <td className="num">{formatPercent(effect.mean, 1)}</td>
                <td className="num">{effect.low === null || effect.high === null ? '–' : `${formatPercent(effect.low, 1)} – ${formatPercent(effect.high, 1)}`}</td>
                <td className="choice-bar-cell">
                  <div className="choice-bar">
                    {effect.low !== null && effect.high !== null && <span className="choice-interval" style={{ left: at(effect.low), width: `calc(${at(effect.high)} - ${at(effect.low)})` }} />}
                    <span className="choice-mean" style={{ left: at(effect.mean) }} />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}
