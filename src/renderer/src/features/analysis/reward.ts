/** A reward's parts as people read them (see src/engine/search/reward.ts): the candidate detail and the agent view share these names. */
import type { RewardParts } from '../../../../shared/events';
import type { AnalysisCandidate } from '../../../../shared/history';
import type { ChartSeries } from '../../components/chart-series';

export const REWARD_PART_LABELS: Readonly<Record<keyof RewardParts, string>> = {
  metric: 'metric',
  build: 'build bonus',
  depth: 'depth penalty',
  params: 'size penalty',
};

const PART_COLORS: Readonly<Record<keyof RewardParts, string>> = { metric: '#2f6fed', build: '#1b9e5a', depth: '#c98a00', params: '#d64545' };

const PARTS = Object.keys(REWARD_PART_LABELS) as Array<keyof RewardParts>;

/** "0.873 metric + 1 build bonus − 0.2 depth penalty": the parts that are not zero, as a sum. */
export function rewardPartsText(parts: RewardParts): string {
  const terms = PARTS.filter((key) => parts[key] !== 0).map((key, i) => {
    const value = parts[key];
    const magnitude = Number(Math.abs(value).toFixed(4));
    return `${i === 0 ? (value < 0 ? '−' : '') : value < 0 ? ' − ' : ' + '}${magnitude} ${REWARD_PART_LABELS[key]}`;
  });
  return terms.length ? terms.join('') : '0';
}

/** One series per part that is not zero for every candidate, by candidate index (x: the candidates with parts). */
export function rewardPartSeries(candidates: readonly AnalysisCandidate[]): { x: number[]; series: ChartSeries[] } {
  const withParts = candidates.filter((c) => c.rewardParts !== null);
  const series = PARTS.filter((key) => withParts.some((c) => c.rewardParts![key] !== 0)).map((key) => ({
    label: REWARD_PART_LABELS[key],
    values: withParts.map((c) => c.rewardParts![key]),
    color: PART_COLORS[key],
    points: true,
  }));
  return { x: withParts.map((c) => c.index), series };
}
