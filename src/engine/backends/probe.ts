/** Small helpers shared by the backend probes. */
import type { BackendName, BackendProbe } from '../../shared/backend';

/** The first non-empty line of an error's message: load errors can be pages long. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
}

export function unavailable(name: BackendName, reason: string): BackendProbe {
  return { name, available: false, reason };
}
