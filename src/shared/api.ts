/**
 * The renderer's API: every call the UI can make to main, and the updates main pushes. One
 * contract for both transports: Electron IPC through the preload (window.gennerator) and, in
 * browser mode, a WebSocket to `cli serve`. Parameters come from an untrusted page, so main parses
 * them with these schemas before acting; results are main's own data.
 */
import { z } from 'zod';
import { ActionSetSchema } from './action-set';
import type { BackendReport } from './backend';
import type { SearchEvent } from './events';
import type {
  ActionSetRow,
  AgentUpdateRow,
  AnalysisCandidate,
  CandidateDetail,
  CandidatePage,
  RunDetail,
  RunSeries,
  RunSummary,
  WarmStartSummary,
} from './history';
import { CANDIDATE_SORT_KEYS } from './history';
import type { FolderPreview } from './folder-preview';
import { CANDIDATE_STATUSES, FolderImageSchema, RUN_STATUSES, RunConfigSchema, type LaunchProblem, type RunStatus } from './run-config';
import type { ControllerSummary, TuneSessionSummary } from './tuning';
import { ControllerNameSchema, TuneApplyParamsSchema, TuneJobSchema, TuneLearnParamsSchema, type TuneStatus, type TuneUpdate } from './tuning-api';

const runId = z.string().min(1).max(100);
const index = z.int().min(0);

/** Each method: the schema of its parameters and the type of its result. */
export const API_PARAMS = {
  'app.info': z.strictObject({}),
  'actionSets.list': z.strictObject({}),
  'actionSets.save': z.strictObject({ id: z.int().min(1).optional(), name: z.string().min(1).max(200), spec: ActionSetSchema }),
  'actionSets.delete': z.strictObject({ id: z.int().min(1) }),
  /** Brings back the bundled sets that were deleted (and resets changed ones). */
  'actionSets.restoreDefaults': z.strictObject({}),
  /** A folder dataset's classes, counts and a few images of each, decoded as a run would (`dir` is on the machine running main). */
  'datasets.previewFolder': z.strictObject({ dir: z.string().min(1).max(4096), image: FolderImageSchema, samplesPerClass: z.int().min(0).max(16).default(4) }),
  'runs.start': z.strictObject({ config: RunConfigSchema }),
  'runs.pause': z.strictObject({ runId }),
  'runs.resume': z.strictObject({ runId, budget: z.int().min(1).optional() }),
  'runs.stop': z.strictObject({ runId }),
  'runs.list': z.strictObject({
    limit: z.int().min(1).max(10_000).optional(),
    offset: z.int().min(0).optional(),
    status: z.enum(RUN_STATUSES).optional(),
    text: z.string().max(200).optional(),
  }),
  'runs.get': z.strictObject({ runId }),
  'runs.rename': z.strictObject({ runId, name: z.string().max(200) }),
  'runs.delete': z.strictObject({ runId }),
  'runs.candidates': z.strictObject({
    runId,
    sortBy: z.enum(CANDIDATE_SORT_KEYS).optional(),
    order: z.enum(['asc', 'desc']).optional(),
    limit: z.int().min(1).max(10_000).optional(),
    offset: z.int().min(0).optional(),
    /** Only candidates in this status (e.g. the running ones of a run with several workers). */
    status: z.enum(CANDIDATE_STATUSES).optional(),
    /** Only these candidates (what an analysis view's brush keeps). */
    indices: z.array(index).max(1_000_000).optional(),
  }),
  'runs.candidate': z.strictObject({ runId, index }),
  'runs.series': z.strictObject({ runIds: z.array(runId).min(1).max(20) }),
  'runs.agentUpdates': z.strictObject({ runId }),
  /** Every finished candidate with its scores, costs and architecture, for the analysis views. */
  'runs.analysis': z.strictObject({ runId }),
  /** Writes into `dir` on the machine running main (the model and architecture; for a whole run also its history). */
  'runs.export': z.strictObject({ runId, index: index.optional(), dir: z.string().min(1).max(4096) }),
  /** The same files as one zip, on the user's computer: downloaded by the browser (browser mode), or saved where a save dialog says (desktop app). */
  'runs.exportArchive': z.strictObject({ runId, index: index.optional() }),
  /** The second mode (src/shared/tuning.ts): saved controllers with their learning curves, and tuning sessions. */
  'tuning.controllers': z.strictObject({}),
  'tuning.controller': z.strictObject({ name: ControllerNameSchema }),
  'tuning.sessions': z.strictObject({ controller: ControllerNameSchema.optional() }),
  'tuning.session': z.strictObject({ id: z.int().min(1) }),
  /** Learns a new controller (or continues one) in an engine process; updates follow as TuneUpdates. */
  'tuning.learn': TuneLearnParamsSchema,
  /** Trains a model steered by a controller, then with each baseline schedule, in an engine process. */
  'tuning.apply': TuneApplyParamsSchema,
  /** Stops a learning controller (it keeps every finished episode and can resume) or a tuning session. */
  'tuning.stop': z.strictObject({ job: TuneJobSchema }),
} as const;

export type ApiMethod = keyof typeof API_PARAMS;
/** What a caller passes. */
export type ApiParams<M extends ApiMethod> = z.input<(typeof API_PARAMS)[M]>;
/** What a handler gets: the parameters as parsed (defaults filled in, cross-checked). */
export type ApiParsedParams<M extends ApiMethod> = z.output<(typeof API_PARAMS)[M]>;

export interface AppInfo {
  /** The backend a run with backend "auto" uses, once probed. */
  backend: BackendReport | null;
  /** The history database file. */
  dbPath: string;
  /** Runs this process is executing now. */
  activeRuns: string[];
  /** 'electron' or 'browser' (cli serve). */
  shell: 'electron' | 'browser';
  /** Where exports go unless the user picks another directory. */
  defaultExportDir: string;
}

export interface ExportResult {
  runId: string;
  index: number;
  files: string[];
}

/** Where an exported zip went. */
export type ExportDelivery =
  /** Browser mode: the page downloads it from `url` (once, soon). */
  | { kind: 'download'; url: string; fileName: string; index: number; entries: string[] }
  /** Desktop app: written where the save dialog said. */
  | { kind: 'saved'; path: string; index: number; entries: string[] }
  /** The save dialog was cancelled: nothing was written. */
  | { kind: 'cancelled' };

export interface ApiResults {
  'app.info': AppInfo;
  'actionSets.list': ActionSetRow[];
  'actionSets.save': ActionSetRow;
  'actionSets.delete': { deleted: boolean };
  /** The names of the sets brought back. */
  'actionSets.restoreDefaults': { restored: string[] };
  /** The folder, or why it is no dataset (the message names the path; the fix is the launch checks'). */
  'datasets.previewFolder': { preview: FolderPreview } | { problem: { message: string; fix: string } };
  /** A run, or why it cannot start (its files, checked before anything is recorded). */
  'runs.start': { runId: string } | { refused: LaunchProblem[] };
  'runs.pause': { ok: true };
  'runs.resume': { ok: true };
  'runs.stop': { status: RunStatus };
  'runs.list': RunSummary[];
  'runs.get': RunDetail | null;
  'runs.rename': { ok: true };
  'runs.delete': { deleted: boolean };
  'runs.candidates': CandidatePage;
  'runs.candidate': CandidateDetail | null;
  'runs.series': RunSeries[];
  'runs.agentUpdates': AgentUpdateRow[];
  'runs.analysis': AnalysisCandidate[];
  'runs.export': ExportResult;
  'runs.exportArchive': ExportDelivery;
  'tuning.controllers': ControllerSummary[];
  'tuning.controller': ControllerSummary | null;
  'tuning.sessions': TuneSessionSummary[];
  'tuning.session': TuneSessionSummary | null;
  'tuning.learn': { controller: string };
  'tuning.apply': { sessionId: number };
  'tuning.stop': { status: TuneStatus };
}

/** What main pushes to every window: each persisted search event and each change of a run's status. */
export type RunUpdate =
  | { runId: string; kind: 'event'; event: SearchEvent }
  | { runId: string; kind: 'status'; status: RunStatus; reason?: string; failedDuring?: 'setup' | 'search' }
  | { runId: string; kind: 'environment'; backend: BackendReport; settingsKey: string; description: string; warmStart?: WarmStartSummary };

/** The API object the renderer uses, whatever the transport. */
export interface GenneratorApi {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]>;
  /** Returns the function that unsubscribes. */
  onUpdate(listener: (update: RunUpdate) => void): () => void;
  /** Live updates of learning controllers and tuning sessions; returns the function that unsubscribes. */
  onTuneUpdate(listener: (update: TuneUpdate) => void): () => void;
}

export class ApiError extends Error {
  override name = 'ApiError';
}

/** Parses a call's parameters; the error names the method and the bad field. */
export function parseApiParams<M extends ApiMethod>(method: string, params: unknown): { method: M; params: ApiParsedParams<M> } {
  if (!Object.hasOwn(API_PARAMS, method)) throw new ApiError(`unknown API method "${method}"`);
  const result = API_PARAMS[method as M].safeParse(params ?? {});
  if (!result.success) throw new ApiError(`${method}: ${z.prettifyError(result.error)}`);
  return { method: method as M, params: result.data as ApiParsedParams<M> };
}

/** Browser mode's WebSocket frames. */
export const WsRequestSchema = z.strictObject({ id: z.int().min(0), method: z.string().max(100), params: z.unknown().optional() });
export type WsRequest = z.infer<typeof WsRequestSchema>;
export type WsResponse = { id: number; result: unknown } | { id: number; error: string } | { update: RunUpdate } | { tuneUpdate: TuneUpdate };
