/**
 * Opening an action set file in the editor: all or nothing. The shared validator
 * (actionSetProblems, as the CLI's --action-set uses it) lists every problem with its path, and a
 * file with any problem loads nothing: no partial set, no value quietly changed.
 */
import { actionSetProblems, parseActionSet, type ActionSet } from '../../../../shared/action-set';
import { problemText } from '../../../../shared/issues';
import type { EditorSpec } from './types';

export type ImportResult = { ok: true; spec: EditorSpec } | { ok: false; problems: string[] };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A file's text as an action set, or every problem in it. A stored row (`{ id, name, spec, … }`) counts as its spec. */
export function importActionSetText(text: string): ImportResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not valid JSON: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const source = isRecord(json) && isRecord(json.spec) && !('nodes' in json) ? json.spec : json;
  const problems = actionSetProblems(source);
  if (problems.length > 0) return { ok: false, problems: problems.map(problemText) };
  return { ok: true, spec: specFromSet(parseActionSet(source)) };
}

/** A valid set as the editor holds it (a stored row's spec, or a file that passed validation). */
export function specFromSet(set: ActionSet): EditorSpec {
  const spec: EditorSpec = {
    name: set.name,
    maxLayers: set.maxLayers,
    nodes: set.nodes.map((node) => ({ id: node.id, layer: { ...node.layer }, ...(node.position ? { position: { ...node.position } } : {}) })),
    edges: set.edges.map((edge) => ({ ...edge })),
  };
  if (set.description !== undefined) spec.description = set.description;
  return spec;
}
