/**
 * Checkpoints come back from outside the engine (main stores each one, then sends it to resume a
 * run), so every restore parses its part with a schema, as at any boundary; the error names the
 * part and the bad field.
 */
import { z } from 'zod';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function parseCheckpoint<S extends z.ZodType>(schema: S, checkpoint: unknown, part: string): z.output<S> {
  const result = schema.safeParse(checkpoint);
  if (!result.success) throw new CheckpointError(`invalid ${part} checkpoint: ${z.prettifyError(result.error)}`);
  return result.data;
}
