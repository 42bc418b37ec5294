/**
 * The search history: runs, their candidates and epochs, agent updates, checkpoints, trained
 * models and action sets, in one SQLite file. The store is the only writer, and each event is
 * written in one transaction, so the file never holds half an event and run aggregates always
 * agree with the candidate rows. Synchronous (better-sqlite3): every call is a few milliseconds.
 *
 * This class is the one door to it; each area lives in its own module under ./history/, where
 * each method's contract is documented:
 * run-lifecycle, event-ingestion (with run-aggregates), queries, replay-cache (and warm starts), saved-state
 * (checkpoints, models, exports), action-sets, and the second mode's tuning (controllers and their
 * learning episodes) and tune-sessions, over the shared connection in history-db.
 */
import { openDatabase } from './connection';
import * as actionSets from './history/action-sets';
import { recordEvent } from './history/event-ingestion';
import { HistoryDb } from './history/history-db';
import * as queries from './history/queries';
import { cachedOutcomes, warmStartResults } from './history/replay-cache';
import * as lifecycle from './history/run-lifecycle';
import * as savedState from './history/saved-state';
import * as tuneSessions from './history/tune-sessions';
import * as tuning from './history/tuning';

export { HistoryStoreError } from './errors';

/** An area function's arguments after the connection. */
type Args<F> = F extends (db: HistoryDb, ...args: infer A) => unknown ? A : never;

export class HistoryStore {
  private constructor(private readonly db: HistoryDb) {}

  /**
   * Opens (creating it and its folders if needed) and migrates a history database. A corrupt file,
   * another program's SQLite file or one from a newer geNNerator is refused untouched.
   */
  static open(path: string): HistoryStore {
    return new HistoryStore(new HistoryDb(openDatabase(path)));
  }

  get path(): string {
    return this.db.file;
  }

  close(): void {
    this.db.close();
  }

  // ---- run lifecycle ----
  createRun(...a: Args<typeof lifecycle.createRun>) { return lifecycle.createRun(this.db, ...a); }
  markRunning(...a: Args<typeof lifecycle.markRunning>) { return lifecycle.markRunning(this.db, ...a); }
  setRunEnvironment(...a: Args<typeof lifecycle.setRunEnvironment>) { return lifecycle.setRunEnvironment(this.db, ...a); }
  recordWarmStart(...a: Args<typeof lifecycle.recordWarmStart>) { return lifecycle.recordWarmStart(this.db, ...a); }
  heartbeat(...a: Args<typeof lifecycle.heartbeat>) { return lifecycle.heartbeat(this.db, ...a); }
  setBudget(...a: Args<typeof lifecycle.setBudget>) { return lifecycle.setBudget(this.db, ...a); }
  setRedis(...a: Args<typeof lifecycle.setRedis>) { return lifecycle.setRedis(this.db, ...a); }
  renameRun(...a: Args<typeof lifecycle.renameRun>) { return lifecycle.renameRun(this.db, ...a); }
  deleteRun(...a: Args<typeof lifecycle.deleteRun>) { return lifecycle.deleteRun(this.db, ...a); }
  setRunStatus(...a: Args<typeof lifecycle.setRunStatus>) { return lifecycle.setRunStatus(this.db, ...a); }
  markOrphanedRuns(...a: Args<typeof lifecycle.markOrphanedRuns>) { return lifecycle.markOrphanedRuns(this.db, ...a); }

  // ---- event ingestion ----
  recordEvent(...a: Args<typeof recordEvent>) { return recordEvent(this.db, ...a); }

  // ---- queries ----
  listRuns(...a: Args<typeof queries.listRuns>) { return queries.listRuns(this.db, ...a); }
  getRun(...a: Args<typeof queries.getRun>) { return queries.getRun(this.db, ...a); }
  resolveRunId(...a: Args<typeof queries.resolveRunId>) { return queries.resolveRunId(this.db, ...a); }
  listCandidates(...a: Args<typeof queries.listCandidates>) { return queries.listCandidates(this.db, ...a); }
  getCandidate(...a: Args<typeof queries.getCandidate>) { return queries.getCandidate(this.db, ...a); }
  runSeries(...a: Args<typeof queries.runSeries>) { return queries.runSeries(this.db, ...a); }
  compareSeries(...a: Args<typeof queries.compareSeries>) { return queries.compareSeries(this.db, ...a); }
  architectureHistory(...a: Args<typeof queries.architectureHistory>) { return queries.architectureHistory(this.db, ...a); }
  agentUpdates(...a: Args<typeof queries.agentUpdates>) { return queries.agentUpdates(this.db, ...a); }
  runAnalysis(...a: Args<typeof queries.runAnalysis>) { return queries.runAnalysis(this.db, ...a); }

  // ---- cross-run cache ----
  cachedOutcomes(...a: Args<typeof cachedOutcomes>) { return cachedOutcomes(this.db, ...a); }
  warmStartResults(...a: Args<typeof warmStartResults>) { return warmStartResults(this.db, ...a); }

  // ---- checkpoints, models, exports ----
  prepareResume(...a: Args<typeof savedState.prepareResume>) { return savedState.prepareResume(this.db, ...a); }
  latestCheckpoint(...a: Args<typeof savedState.latestCheckpoint>) { return savedState.latestCheckpoint(this.db, ...a); }
  getModel(...a: Args<typeof savedState.getModel>) { return savedState.getModel(this.db, ...a); }
  recordExport(...a: Args<typeof savedState.recordExport>) { return savedState.recordExport(this.db, ...a); }
  listExports(...a: Args<typeof savedState.listExports>) { return savedState.listExports(this.db, ...a); }

  // ---- action sets ----
  listActionSets(...a: Args<typeof actionSets.listActionSets>) { return actionSets.listActionSets(this.db, ...a); }
  getActionSet(...a: Args<typeof actionSets.getActionSet>) { return actionSets.getActionSet(this.db, ...a); }
  saveActionSet(...a: Args<typeof actionSets.saveActionSet>) { return actionSets.saveActionSet(this.db, ...a); }
  deleteActionSet(...a: Args<typeof actionSets.deleteActionSet>) { return actionSets.deleteActionSet(this.db, ...a); }
  seedActionSets(...a: Args<typeof actionSets.seedActionSets>) { return actionSets.seedActionSets(this.db, ...a); }
  restoreDefaultActionSets(...a: Args<typeof actionSets.restoreDefaultActionSets>) { return actionSets.restoreDefaultActionSets(this.db, ...a); }

  // ---- tuning: controllers and their learning episodes ----
  createController(...a: Args<typeof tuning.createController>) { return tuning.createController(this.db, ...a); }
  getController(...a: Args<typeof tuning.getController>) { return tuning.getController(this.db, ...a); }
  listControllers(...a: Args<typeof tuning.listControllers>) { return tuning.listControllers(this.db, ...a); }
  controllerCheckpoint(...a: Args<typeof tuning.controllerCheckpoint>) { return tuning.controllerCheckpoint(this.db, ...a); }
  recordControllerEpisode(...a: Args<typeof tuning.recordControllerEpisode>) { return tuning.recordControllerEpisode(this.db, ...a); }
  controllerEpisodes(...a: Args<typeof tuning.controllerEpisodes>) { return tuning.controllerEpisodes(this.db, ...a); }
  resumeController(...a: Args<typeof tuning.resumeController>) { return tuning.resumeController(this.db, ...a); }
  setControllerStatus(...a: Args<typeof tuning.setControllerStatus>) { return tuning.setControllerStatus(this.db, ...a); }
  deleteController(...a: Args<typeof tuning.deleteController>) { return tuning.deleteController(this.db, ...a); }
  markOrphanedTuning(...a: Args<typeof tuning.markOrphanedTuning>) { return tuning.markOrphanedTuning(this.db, ...a); }

  // ---- tuning sessions ----
  createTuneSession(...a: Args<typeof tuneSessions.createTuneSession>) { return tuneSessions.createTuneSession(this.db, ...a); }
  recordTuneSchedule(...a: Args<typeof tuneSessions.recordTuneSchedule>) { return tuneSessions.recordTuneSchedule(this.db, ...a); }
  finishTuneSession(...a: Args<typeof tuneSessions.finishTuneSession>) { return tuneSessions.finishTuneSession(this.db, ...a); }
  getTuneSession(...a: Args<typeof tuneSessions.getTuneSession>) { return tuneSessions.getTuneSession(this.db, ...a); }
  listTuneSessions(...a: Args<typeof tuneSessions.listTuneSessions>) { return tuneSessions.listTuneSessions(this.db, ...a); }
  deleteTuneSession(...a: Args<typeof tuneSessions.deleteTuneSession>) { return tuneSessions.deleteTuneSession(this.db, ...a); }
}
