/** The listeners to a service's updates: one that throws is logged and skipped, and never stops the others. */
export class Subscribers<T> {
  private readonly listeners = new Set<(update: T) => void>();

  /** `what` names the updates in the log line of a failing listener ("a run subscriber failed: …"). */
  constructor(
    private readonly what: string,
    private readonly log: (message: string) => void,
  ) {}

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (update: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(update: T): void {
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (error) {
        this.log(`a ${this.what} subscriber failed: ${(error as Error).message}`);
      }
    }
  }
}
