/**
 * An undo history of a document's states: the states before each change (past) and those undone
 * (future). Pure and immutable, so a document carries its own. A burst of changes of one kind (a
 * node dragged, a name typed) is one step: a change with the same `group` as the last one, within
 * GROUP_MS of it, does not add a step.
 */
export interface UndoHistory<T> {
  past: readonly T[];
  future: readonly T[];
  /** The group and time of the last change recorded. */
  last: { group: string; at: number } | null;
}

export const GROUP_MS = 1000;
/** Steps kept: enough for an editing session, bounded for memory. */
export const UNDO_LIMIT = 200;

export function emptyHistory<T>(): UndoHistory<T> {
  return { past: [], future: [], last: null };
}

/** The history after a change from `before`; a new change clears what was undone. */
export function recordChange<T>(history: UndoHistory<T>, before: T, at: number, group?: string): UndoHistory<T> {
  const joins = group !== undefined && history.last?.group === group && at - history.last.at < GROUP_MS && history.future.length === 0;
  const last = group === undefined ? null : { group, at };
  if (joins) return { ...history, last };
  return { past: [...history.past, before].slice(-UNDO_LIMIT), future: [], last };
}

/** The state to go back to from `current`, and the history after; null when there is nothing to undo. */
export function undo<T>(history: UndoHistory<T>, current: T): { state: T; history: UndoHistory<T> } | null {
  const state = history.past[history.past.length - 1];
  if (state === undefined) return null;
  return { state, history: { past: history.past.slice(0, -1), future: [current, ...history.future], last: null } };
}

/** The state undone last, back again; null when there is nothing to redo. */
export function redo<T>(history: UndoHistory<T>, current: T): { state: T; history: UndoHistory<T> } | null {
  const [state, ...future] = history.future;
  if (state === undefined) return null;
  return { state, history: { past: [...history.past, current].slice(-UNDO_LIMIT), future, last: null } };
}
