/** What the live view shows about a run beyond its state: the controls, the ETA, progress, and its charts. */
import { resumeCanHelp } from '../../../../shared/history';
import type { RunStatus } from '../../../../shared/run-config';
import { isActive, type LiveCandidate, type LiveRun } from './live-run';

/** A 0–1 fraction as a percentage, '—' where there is none. */
export const pct = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`);
/** A count with thousands separators, '—' where there is none. */
export const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toLocaleString('en'));

/** What the progress row says after the count: the ETA, or why there is none. */
export function progressNote(run: Pick<LiveRun, 'budget' | 'done' | 'secondsSum' | 'secondsCount' | 'status' | 'pausing'> & Partial<Pick<LiveRun, 'config'>>): string {
  if (run.pausing) return 'pausing after this candidate…';
  if (run.status === 'paused') return 'paused: resume to go on';
  if (run.status === 'completed') return 'done';
  const eta = etaSeconds(run);
  return eta === null ? '' : `ETA ${formatDuration(eta)}`;
}

/** The candidate panel's heading and status line: a candidate its run left unfinished says so. */
export function candidateHeading(candidate: Pick<LiveCandidate, 'index' | 'status'> | null, runStatus: RunStatus): string {
  if (!candidate) return isActive(runStatus) ? 'Waiting for the first candidate' : `No candidate (run ${runStatus})`;
  if (candidate.status === 'running') return `Training candidate #${candidate.index}`;
  if (candidate.status === 'interrupted') return `Candidate #${candidate.index}: ${runStatus === 'stopped' ? 'stopped' : 'interrupted'} before it finished`;
  const quiet = runStatus === 'running' || runStatus === 'created' || runStatus === 'completed';
  return `Last candidate #${candidate.index}${quiet ? '' : ` · run ${runStatus}`}`;
}

/** Which controls make sense for a run: resume only where it can help; otherwise a failed run is run again with changes. */
export function controls(run: Pick<LiveRun, 'status' | 'failedDuring' | 'done'> & Partial<Pick<LiveRun, 'pausing'>>): { pause: boolean; resume: boolean; stop: boolean; runAgain: boolean } {
  const { status } = run;
  const resumable = resumeCanHelp({ status, failedDuring: run.failedDuring, evaluations: run.done });
  return {
    pause: status === 'running' && !run.pausing,
    resume: status === 'paused' || resumable,
    stop: isActive(status),
    runAgain: status === 'failed' && !resumable,
  };
}

/**
 * Mean seconds per finished candidate × candidates left, shared among the workers; null when unknown
 * or when the run is not going to go on by itself (paused, pausing, or over): no ETA runs then.
 */
export function etaSeconds(run: Pick<LiveRun, 'budget' | 'done' | 'secondsSum' | 'secondsCount' | 'status'> & Partial<Pick<LiveRun, 'config' | 'pausing'>>): number | null {
  if (run.status !== 'running' || run.pausing || run.secondsCount === 0) return null;
  const remaining = Math.max(0, run.budget - run.done);
  const parallel = Math.max(1, Math.min(run.config?.workers ?? 1, remaining));
  return ((run.secondsSum / run.secondsCount) * remaining) / parallel;
}

/** "45s", "3m 05s", "2h 07m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Epochs done / epochs planned for the current candidate (0–1), or undefined without epochs (nb201). */
export function epochProgress(run: Pick<LiveRun, 'current' | 'config'>): number | undefined {
  const c = run.current;
  if (!c || !run.config || run.config.evaluator !== 'training') return undefined;
  if (c.status !== 'running') return 1;
  const total = run.config.training.epochs;
  return total > 0 ? Math.min(1, c.epochs.length / total) : undefined;
}

/** The diagnostics the live view charts, with how to read them from PPO's record. */
export const DIAGNOSTIC_CHARTS: ReadonlyArray<{ key: string; title: string; negate?: boolean }> = [
  { key: 'entropyLoss', title: 'entropy', negate: true },
  { key: 'approxKl', title: 'approx KL' },
  { key: 'clipFraction', title: 'clip fraction' },
  { key: 'valueLoss', title: 'value loss' },
];

