/**
 * Follows a run the supervisor is executing: prints each candidate (or JSON lines), a progress bar
 * for people, stops the run on Ctrl-C, and ends with the run's summary from the history store.
 */
import type { HistoryStore } from '../main/db/history-store';
import type { RunUpdate } from '../shared/api';
import { competesForBest } from '../shared/events';
import { candidateStatusText, resumeCanHelp, warmStartText, type RunSummary } from '../shared/history';
import { short, type RunSupervisor } from '../main/services/run-supervisor';
import { CliError, EXIT } from './errors';
import { createProgressBar, percent, snakeCaseKeys, type Output } from './output';

export async function watchRun(supervisor: RunSupervisor, store: HistoryStore, runId: string, output: Output): Promise<void> {
  const run = store.getRun(runId)!;
  output.event('run', { run_id: runId, db: store.path });
  output.line(`run      ${runId}`);
  const timeBudget = run.config.timeBudgetS;
  // A time-boxed run ends when its time does, not at its candidate budget: show the time instead.
  const bar = createProgressBar(
    output,
    timeBudget === undefined ? 'candidate {value}/{total} [{bar}] best {best} | ETA {eta_formatted}' : `candidate {value} | best {best} | time budget ${timeBudget} s`,
  );
  let budget = run.budget;
  let best = run.bestSignal ?? 0;
  const labels = new Map<number, string>();
  const onUpdate = (update: RunUpdate) => {
    if (update.runId !== runId) return;
    if (update.kind === 'environment') {
      output.event('backend', { name: update.backend.name, device: update.backend.device });
      output.line(`backend  ${update.backend.name}: ${update.backend.device}`);
      output.line(`search   ${update.description}`);
      if (update.warmStart) {
        output.event('warm_start', { ...update.warmStart });
        output.line(`warm     ${warmStartText(update.warmStart)}`);
      }
      return;
    }
    if (update.kind === 'status') {
      output.event('status', snakeCaseKeys({ status: update.status, reason: update.reason }));
      // A run that ends badly is reported once, by the error this command ends with.
      const endsInError = update.status === 'failed' || update.status === 'interrupted' || update.status === 'stopped';
      if (update.status === 'paused' || (update.reason && update.status !== 'running' && !endsInError)) output.line(`status   ${update.status}${update.reason ? `: ${update.reason}` : ''}`);
      return;
    }
    const { event } = update;
    output.event(event.type, snakeCaseKeys({ ...event, type: undefined }));
    if (event.type === 'run_started') {
      budget = event.budget;
      bar?.start(budget, event.evaluations, { best: percent(best) });
    }
    if (event.type === 'candidate_proposed') labels.set(event.index, event.label);
    if (event.type !== 'candidate_finished') return;
    if (competesForBest(event.status)) best = Math.max(best, event.signal);
    bar?.stop();
    const note = event.cached
      ? '  (cached)'
      : event.error
        ? `  (${event.status}: ${event.error})`
        : event.status === 'pruned'
          ? `  (${candidateStatusText(event)})`
          : '';
    output.line(`#${event.index}  val ${percent(event.signal)}  reward ${event.reward.toFixed(3)}  ${labels.get(event.index) ?? ''}${note}`);
    if (event.index + 1 < budget) bar?.start(budget, event.index + 1, { best: percent(best) });
  };
  const unsubscribe = supervisor.subscribe(onUpdate);
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    output.line('\nstopping after cancelling the candidate in training…');
    void supervisor.stop(runId).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    await supervisor.whenDone(runId);
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
    bar?.stop();
  }
  printSummary(store, runId, output);
  const final = store.getRun(runId)!;
  const hint = `continue it with \`resume ${short(runId)}\``;
  if (final.status === 'stopped') throw new CliError(`search stopped${interrupted ? '' : `: ${final.statusReason ?? ''}`}`, hint, interrupted ? EXIT.interrupted : EXIT.failed);
  if (final.status === 'interrupted') throw new CliError(`search interrupted: ${final.statusReason ?? 'unknown reason'}`, hint, EXIT.failed);
  if (final.status === 'failed') throw new CliError(`search failed: ${final.statusReason ?? 'no reason recorded'}`, failedHint(final, runId), EXIT.failed);
}

/** What to do about a failed run: resume it where that can help, otherwise change the cause and run it again. */
function failedHint(run: RunSummary, runId: string): string {
  return resumeCanHelp(run) ? `fix the cause, then continue it with \`resume ${short(runId)}\`` : 'it failed while setting up: change what the error names and run the search again';
}

function printSummary(store: HistoryStore, runId: string, output: Output): void {
  const run = store.getRun(runId)!;
  const top = run.bestIndex === undefined || run.bestIndex === null ? undefined : store.getCandidate(runId, run.bestIndex);
  output.event('summary', {
    status: run.status,
    run_id: runId,
    strategy: run.strategy,
    evaluator: run.evaluator,
    best_index: top?.index ?? null,
    best_arch: top?.architecture ?? null,
    best_label: top?.label ?? null,
    best_signal: top?.validAcc ?? null,
    best_test_acc: top?.testAcc ?? null,
    evaluations: run.evaluations,
    budget: run.budget,
    cache_hits: run.cacheHits,
  });
  if (run.evaluations === 0) return;
  output.line(`\nbest of ${run.evaluations} (${run.cacheHits} cached): #${top?.index ?? '—'} ${top?.label ?? '—'}`);
  output.line(`validation ${percent(top?.validAcc ?? undefined)}  test ${percent(top?.testAcc ?? undefined)}`);
}
