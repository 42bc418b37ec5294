/** What an engine or worker process reports when something fails: a line for people, the stack for logs. */
import type { EngineToMain } from '../../shared/engine-messages';

/** Our own errors say what and where; any other is unexpected, and its stack only helps a bug report. */
const EXPECTED = ['DatasetError', 'RunSetupError', 'Nb201DataError', 'ActionSetError', 'CheckpointError', 'WorkerMessageError', 'QueuePoolError', 'QueueWorkerError'];

export function isExpectedError(error: unknown): boolean {
  return error instanceof Error && (EXPECTED.includes(error.name) || EXPECTED.includes(error.constructor.name));
}

/** The message alone, first line only for an unexpected error (its type named, e.g. "RangeError: …"). */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (isExpectedError(error)) return error.message;
  const firstLine = error.message.split('\n')[0] || '(no message)';
  return error.name && error.name !== 'Error' ? `${error.name}: ${firstLine}` : firstLine;
}

/** The engine's 'error' message for a failure: the line, when it happened, and an unexpected error's stack. */
export function errorReport(error: unknown, during?: 'setup' | 'search'): Extract<EngineToMain, { type: 'error' }> {
  const detail = error instanceof Error && !isExpectedError(error) ? error.stack : undefined;
  return { type: 'error', message: errorMessage(error), ...(during ? { during } : {}), ...(detail ? { detail } : {}) };
}
