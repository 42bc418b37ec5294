/**
 * An architecture: the ordered list of body layers of a classifier. The classifier head
 * (flatten if needed + dense softmax) is appended by the builder, never written by the user.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { LayerSpecSchema, type LayerSpec, type LayerSpecInput } from './layers';

export interface Architecture {
  /** Optional label; not part of the hash. */
  name?: string;
  layers: LayerSpec[];
}

export type ArchitectureInput = LayerSpecInput[] | { name?: string; layers: LayerSpecInput[] };

const ArchitectureObjectSchema = z.strictObject({
  name: z.string().optional(),
  layers: z.array(LayerSpecSchema),
});

/** Invalid architecture JSON, or a network that cannot be built; names the first bad layer. */
export class ArchitectureError extends Error {
  constructor(
    message: string,
    /** 0-based index of the offending layer, when one is to blame. */
    readonly layerIndex?: number,
  ) {
    super(message);
    this.name = 'ArchitectureError';
  }
}

/** Validates untrusted JSON (a bare layer list or `{name?, layers}`) and fills in defaults. */
export function parseArchitecture(json: unknown): Architecture {
  const candidate = Array.isArray(json) ? { layers: json } : json;
  const result = ArchitectureObjectSchema.safeParse(candidate);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const [key, index, ...rest] = issue.path;
  if (key === 'layers' && typeof index === 'number') {
    const raw = (candidate as { layers: unknown[] }).layers[index];
    const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String(raw.type) : 'layer';
    const where = rest.length ? `${rest.join('.')}: ` : '';
    throw new ArchitectureError(`layer ${index + 1} (${type}): ${where}${issue.message}`, index);
  }
  throw new ArchitectureError(`architecture${issue.path.length ? ` ${issue.path.join('.')}` : ''}: ${issue.message}`);
}

/** JSON with keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A stable content hash of the layers (16 hex digits of SHA-256 over canonical JSON of the parsed
 * layers): same layers → same hash, whatever the key order or omitted defaults; the name is ignored.
 */
export function architectureHash(architecture: Architecture | ArchitectureInput): string {
  const { layers } = parseArchitecture(architecture);
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(layers)))).slice(0, 16);
}
