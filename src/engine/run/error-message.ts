/** What an engine or worker process reports when something fails. */

export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Our own errors say what and where; a stack helps only for the unexpected ones.
  const expected = ['DatasetError', 'RunSetupError', 'Nb201DataError', 'ActionSetError', 'CheckpointError', 'WorkerMessageError', 'QueuePoolError', 'QueueWorkerError'];
  return expected.includes(error.name) || expected.includes(error.constructor.name) ? error.message : (error.stack ?? error.message);
}
