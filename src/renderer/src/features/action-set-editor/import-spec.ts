/**
 * An action set from a file or a stored row, kept as written as far as the editor can show it:
 * validation reports what is wrong with it, the import refuses only what is no action set at all.
 */
import { MAX_LAYERS } from '../../../../shared/action-set';
import type { EditorSpec } from './types';
import type { LayerDraft, ParamScalar, ParamValue } from './values';

export class ImportError extends Error {
  override name = 'ImportError';
}

const isScalar = (value: unknown): value is ParamScalar => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

function toParamValue(value: unknown): ParamValue {
  if (isScalar(value)) return value;
  if (Array.isArray(value)) return value.map((v) => (isScalar(v) ? v : JSON.stringify(v)));
  return JSON.stringify(value);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An action set from a file (or a stored row's spec), kept as written as far as the editor can show
 * it: problems in it are reported by validation, not refused here. Throws ImportError only when
 * the JSON is not an action set at all. Accepts `{ spec: … }` (a stored row) too.
 */
export function importSpec(json: unknown, fallbackName = 'imported'): EditorSpec {
  const source = isRecord(json) && isRecord(json.spec) && !('nodes' in json) ? json.spec : json;
  if (!isRecord(source)) throw new ImportError('not an action set: the file holds no JSON object');
  if (!Array.isArray(source.nodes)) throw new ImportError('not an action set: it has no "nodes" list');
  const nodes = source.nodes.map((raw, i): EditorSpec['nodes'][number] => {
    const node = isRecord(raw) ? raw : {};
    const rawLayer = isRecord(node.layer) ? node.layer : {};
    const layer: LayerDraft = { type: typeof rawLayer.type === 'string' ? rawLayer.type : '?' };
    for (const [key, value] of Object.entries(rawLayer)) if (key !== 'type') layer[key] = toParamValue(value);
    const entry: EditorSpec['nodes'][number] = { id: typeof node.id === 'string' ? node.id : `node${i + 1}`, layer };
    const p = node.position;
    if (isRecord(p) && typeof p.x === 'number' && typeof p.y === 'number') entry.position = { x: p.x, y: p.y };
    return entry;
  });
  const edges = (Array.isArray(source.edges) ? source.edges : []).flatMap((raw) =>
    isRecord(raw) && typeof raw.from === 'string' && typeof raw.to === 'string' ? [{ from: raw.from, to: raw.to }] : [],
  );
  const spec: EditorSpec = {
    name: typeof source.name === 'string' && source.name.trim() ? source.name : fallbackName,
    maxLayers: typeof source.maxLayers === 'number' ? source.maxLayers : MAX_LAYERS.default,
    nodes,
    edges,
  };
  if (typeof source.description === 'string') spec.description = source.description;
  return spec;
}
