/** The one error the history store throws for its own reasons (bad file, unknown run, …). */
export class HistoryStoreError extends Error {
  override name = 'HistoryStoreError';

  constructor(
    message: string,
    /** The database file, when the error is about the file itself. */
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
