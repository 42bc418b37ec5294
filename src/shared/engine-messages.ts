/**
 * Messages between the main process and the engine process (Electron utilityProcess, or a Node
 * child process under the CLI and tests). The engine is a separate process, so nothing it sends is
 * trusted by type alone: the receiver parses every message with these schemas on arrival.
 *
 * This is the seed of the contract; new message kinds are added as members of the unions below.
 */
import { z } from 'zod';
import { BACKEND_NAMES, type BackendReport } from './backend';

const backendNameSchema = z.enum(BACKEND_NAMES);

export const backendProbeSchema = z.object({
  name: backendNameSchema,
  available: z.boolean(),
  reason: z.string().optional(),
});

/** Runtime validator for {@link BackendReport}; the interface in backend.ts stays the source of truth. */
export const backendReportSchema = z.object({
  name: backendNameSchema,
  tfBackend: z.string(),
  device: z.string(),
  probes: z.array(backendProbeSchema),
});

// Fails to compile if the schema and the interface drift apart (in either direction).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _reportSchemaMatches: Same<z.infer<typeof backendReportSchema>, BackendReport> = true;
void _reportSchemaMatches;

/** Engine → main. */
export const engineToMainSchema = z.discriminatedUnion('type', [
  /** The engine initialised its TensorFlow.js backend and is ready for work. */
  z.object({ type: z.literal('ready'), backend: backendReportSchema }),
  /** The engine failed (at start-up for now); it may exit after sending this. */
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type EngineToMain = z.infer<typeof engineToMainSchema>;

/** Main → engine. */
export const mainToEngineSchema = z.discriminatedUnion('type', [
  /** Finish up and exit; main kills the process if it does not exit soon after. */
  z.object({ type: z.literal('shutdown') }),
]);
export type MainToEngine = z.infer<typeof mainToEngineSchema>;

/** Parses an incoming engine message; throws a readable error for anything else. */
export function parseEngineToMain(data: unknown): EngineToMain {
  const result = engineToMainSchema.safeParse(data);
  if (!result.success) throw new Error(`invalid message from engine: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Parses an incoming main message; throws a readable error for anything else. */
export function parseMainToEngine(data: unknown): MainToEngine {
  const result = mainToEngineSchema.safeParse(data);
  if (!result.success) throw new Error(`invalid message from main: ${z.prettifyError(result.error)}`);
  return result.data;
}
