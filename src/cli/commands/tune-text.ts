/** How `tune` shows controllers, sessions, schedules and comparisons: text for people, JSON for programs. TensorFlow-free. */
import type { HistoryStore } from '../../main/db/history-store';
import type { ControllerSummary, EpisodeOutcome, Hyperparameters, ScheduleName, TuneDecision, TuneSessionSummary } from '../../shared/tuning';
import { CliError } from '../errors';
import { percent, snakeCaseKeys, table } from '../output';

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

const when = (iso: string): string => iso.slice(0, 16).replace('T', ' ');

/** 3e-4 as people read a learning rate. */
export function rate(x: number): string {
  return x === 0 ? '0' : x.toExponential(1).replace('.0e', 'e');
}

/** "lr 1e-3 → 3e-4, optimizer adam → momentum": what changed between two hyperparameter settings. */
export function changeText(before: Hyperparameters, after: Hyperparameters): string {
  const parts: string[] = [];
  if (before.learningRate !== after.learningRate) parts.push(`lr ${rate(before.learningRate)} → ${rate(after.learningRate)}`);
  if (before.optimizer !== after.optimizer) parts.push(`optimizer ${before.optimizer} → ${after.optimizer}`);
  if (before.dropout !== after.dropout) parts.push(`dropout ${before.dropout.toFixed(2)} → ${after.dropout.toFixed(2)}`);
  if (before.weightDecay !== after.weightDecay) parts.push(`weight decay ${rate(before.weightDecay)} → ${rate(after.weightDecay)}`);
  return parts.length ? parts.join(', ') : 'no change (already at the bounds)';
}

/** One line per intervention of a steered training: when, what changed, and why it acted. */
export function scheduleLines(initial: Hyperparameters, decisions: readonly TuneDecision[]): string[] {
  let before = initial;
  const lines: string[] = [];
  for (const d of decisions) {
    if (d.intervened) {
      lines.push(
        `  epoch ${d.epoch} (${Math.round(d.progress * 100)}%)  ${changeText(before, d.hyperparameters)}  (p ${d.interveneProbability.toFixed(2)} > threshold ${d.threshold.toFixed(2)})`,
      );
    }
    before = d.hyperparameters;
  }
  return lines;
}

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** The sample standard deviation (0 for one value). */
export function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

export interface ScheduleStats {
  schedule: ScheduleName;
  seeds: number;
  testMean: number | null;
  /** Sample standard deviation of the test accuracy (a fraction); null under two seeds. */
  testStd: number | null;
  validMean: number | null;
  seconds: number;
  diverged: number;
}

/** Per schedule, over its seeds: test and validation accuracy, time, divergences (schedules without an outcome are left out). */
export function scheduleStats(schedules: TuneSessionSummary['schedules']): ScheduleStats[] {
  const order: ScheduleName[] = [];
  const outcomes = new Map<ScheduleName, EpisodeOutcome[]>();
  for (const { schedule, outcome } of schedules) {
    if (!outcome) continue;
    if (!outcomes.has(schedule)) {
      order.push(schedule);
      outcomes.set(schedule, []);
    }
    outcomes.get(schedule)!.push(outcome);
  }
  return order.map((schedule) => {
    const list = outcomes.get(schedule)!;
    const tests = list.map((o) => o.testAccuracy).filter((t): t is number => t !== undefined);
    return {
      schedule,
      seeds: list.length,
      testMean: tests.length ? mean(tests) : null,
      // A spread needs two seeds at least.
      testStd: tests.length > 1 ? std(tests) : null,
      validMean: mean(list.map((o) => o.finalValidAccuracy)),
      seconds: list.reduce((s, o) => s + o.seconds, 0),
      diverged: list.filter((o) => o.status === 'diverged').length,
    };
  });
}

/** The controller against the baselines: one row per schedule. */
export function comparisonTable(stats: readonly ScheduleStats[]): string {
  return table(
    ['schedule', 'seeds', 'test acc', '± std', 'val acc', 'seconds', 'diverged'],
    stats.map((s) => [
      s.schedule,
      String(s.seeds),
      percent(s.testMean ?? undefined),
      s.testStd === null ? '—' : `${(s.testStd * 100).toFixed(2)}`,
      percent(s.validMean ?? undefined),
      s.seconds.toFixed(1),
      String(s.diverged),
    ]),
  );
}

export function controllerJson(c: ControllerSummary) {
  return snakeCaseKeys({ name: c.name, status: c.status, episodesDone: c.episodesDone, episodes: c.settings.episodes, tasks: c.tasks.map((t) => t.name), createdAt: c.createdAt, updatedAt: c.updatedAt, error: c.error });
}

export function sessionJson(s: TuneSessionSummary) {
  return snakeCaseKeys({ id: s.id, controller: s.controller, task: s.task.name, status: s.status, createdAt: s.createdAt, error: s.error, results: scheduleStats(s.schedules) });
}

/** `tune list`. */
export function printControllerList(store: HistoryStore, json: boolean): void {
  const controllers = store.listControllers();
  const sessions = store.listTuneSessions({ limit: 50 });
  if (json) return print(JSON.stringify({ controllers: controllers.map(controllerJson), sessions: sessions.map(sessionJson) }));
  if (controllers.length === 0) return print(`no controllers yet in ${store.path}`);
  print(
    table(
      ['controller', 'status', 'episodes', 'networks', 'last return', 'last val', 'updated'],
      controllers.map((c) => {
        const last = c.curve.at(-1);
        return [c.name, c.status, `${c.episodesDone}/${c.settings.episodes}`, String(c.tasks.length), last ? last.return.toFixed(3) : '—', percent(last?.finalValidAccuracy), when(c.updatedAt)];
      }),
    ),
  );
  if (sessions.length === 0) return;
  print('');
  print(table(['session', 'controller', 'network', 'status', 'controller test', 'best baseline', 'started'], sessions.map(sessionRow)));
}

function sessionRow(s: TuneSessionSummary): string[] {
  const stats = scheduleStats(s.schedules);
  const steered = stats.find((x) => x.schedule === 'controller');
  const baselines = stats.filter((x) => x.schedule !== 'controller' && x.testMean !== null).sort((a, b) => (b.testMean ?? 0) - (a.testMean ?? 0));
  const best = baselines[0];
  return [`#${s.id}`, s.controller, s.task.name, s.status, percent(steered?.testMean ?? undefined), best ? `${best.schedule} ${percent(best.testMean ?? undefined)}` : '—', when(s.createdAt)];
}

/** `tune show NAME`. */
export function printController(store: HistoryStore, name: string, json: boolean): void {
  const c = store.getController(name);
  if (!c) throw new CliError(`there is no controller named "${name.trim()}" in the history`, 'see `tune list`');
  const sessions = store.listTuneSessions({ controller: c.name });
  if (json) {
    return print(JSON.stringify({ ...controllerJson(c), settings: snakeCaseKeys(c.settings), curve: c.curve.map(snakeCaseKeys), sessions: sessions.map(sessionJson) }));
  }
  print(`controller  ${c.name}`);
  print(`status      ${c.status}${c.error ? `: ${c.error}` : ''}`);
  print(`learned     ${c.episodesDone} of ${c.settings.episodes} episodes, seed ${c.settings.seed}, threshold ${c.settings.threshold.initial} (${c.settings.threshold.min}…${c.settings.threshold.max})`);
  const first = c.tasks[0];
  print(`networks    ${c.tasks.map((t) => t.name).join(', ')}`);
  print(`training    ${first.dataset}${first.subset ? ` (subset ${first.subset})` : ''}, ${first.epochs} epochs, batch ${first.batchSize}, ${first.decisionsPerEpoch} decision(s) per epoch`);
  if (c.curve.length) {
    print('');
    print(
      table(
        ['episode', 'network', 'return', 'val acc', 'interventions', 'threshold'],
        c.curve.map((p) => [String(p.episode), p.task, p.return.toFixed(3), percent(p.finalValidAccuracy), String(p.interventions), Number.isNaN(p.threshold) ? '—' : p.threshold.toFixed(2)]),
      ),
    );
  }
  for (const s of sessions) {
    print('');
    print(`session #${s.id}  ${s.task.name}  ${s.status}${s.error ? `: ${s.error}` : ''}  ${when(s.createdAt)}`);
    const stats = scheduleStats(s.schedules);
    if (stats.length) print(comparisonTable(stats));
  }
}
