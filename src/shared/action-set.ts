/**
 * Action sets: which layers the agent may use and what may follow what. Drawn in the editor as a
 * graph: each node is an allowed layer whose parameters may list several values (filters
 * [16, 32, 64] expands to three choices); an edge says "may follow"; the reserved ids `input` and
 * `output` mark where a network may start and end. With no edges at all, any order is allowed.
 *
 * The grammar answers, for a partial network, which choices may come next. It checks shapes too,
 * and only offers a choice from which a valid network can still be finished within the depth
 * limit, so an agent that follows the masks never proposes a network that cannot be built.
 */
import { z } from 'zod';
import { LAYER_TYPES, LayerSpecSchema, type LayerSpec } from './layers';
import { issueMessage, issueProblems, problemText, type PathProblem } from './issues';
import { inferLayer, shapeKey, type TensorShape } from './shapes';

export const INPUT_ID = 'input';
export const OUTPUT_ID = 'output';

/** How many body layers an action set may allow (`maxLayers`): its bounds, and the default when left out. */
export const MAX_LAYERS = { min: 1, max: 20, default: 5 } as const;

const ParamValue = z.union([z.string(), z.number(), z.boolean()]);

export const ActionSetNodeSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .refine((id) => id !== INPUT_ID && id !== OUTPUT_ID, { message: `"${INPUT_ID}" and "${OUTPUT_ID}" are reserved ids` }),
  /** A layer spec whose parameters may each be one value or a list of allowed values. */
  layer: z.looseObject({ type: z.string() }).catchall(z.union([ParamValue, z.array(ParamValue).min(1)], { error: 'expected a number, text or true/false, or a list of them' })),
  /** Where the editor draws the node; ignored by the engine. */
  position: z.object({ x: z.number(), y: z.number() }).optional(),
});

export const ActionSetSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** The most body layers a network may have (the original design's layers_amount). */
  maxLayers: z.int().min(MAX_LAYERS.min).max(MAX_LAYERS.max).default(MAX_LAYERS.default),
  nodes: z.array(ActionSetNodeSchema).min(1),
  edges: z.array(z.strictObject({ from: z.string(), to: z.string() })).default([]),
});
export type ActionSetNode = z.output<typeof ActionSetNodeSchema>;
export type ActionSet = z.output<typeof ActionSetSchema>;
export type ActionSetInput = z.input<typeof ActionSetSchema>;

/** One concrete layer the agent can pick, and the node it came from. */
export interface Choice {
  nodeId: string;
  layer: LayerSpec;
}

export class ActionSetError extends Error {
  constructor(
    message: string,
    readonly nodeId?: string,
    /** Every problem of the set as written, each with its path (empty for a problem found past parsing). */
    readonly problems: readonly PathProblem[] = [],
  ) {
    super(message);
    this.name = 'ActionSetError';
  }
}

/** Validates untrusted JSON (refusing it with every problem listed) and expands every node into its concrete choices. */
export function parseActionSet(json: unknown): ActionSet {
  const problems = actionSetProblems(json);
  if (problems.length === 1) throw new ActionSetError(`action set ${problemText(problems[0])}`, undefined, problems);
  if (problems.length > 1) throw new ActionSetError(`action set: ${problems.length} problems: ${problems.map(problemText).join('; ')}`, undefined, problems);
  return ActionSetSchema.parse(json);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every problem of an action set as written, each with its path: `nodes[2].layer: missing`,
 * `maxLayers: expected an integer, got 2.5`, `edges[4].to: no node "nowhere"`. Empty exactly when
 * parseActionSet accepts it. The one validator of action-set files: the editor's import and the
 * CLI's --action-set both use it, and load nothing while it reports a problem.
 */
export function actionSetProblems(json: unknown): PathProblem[] {
  const result = ActionSetSchema.safeParse(json, { reportInput: true });
  const problems = result.success ? [] : issueProblems(result.error.issues);
  // What the schema alone cannot see, in the parts that have the right shape.
  const seen = new Set(problems.map((p) => p.path));
  const add = (path: string, message: string) => {
    const covered = [...seen].some((p) => p === path || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
    if (!covered) problems.push({ path, message });
  };
  const set = isRecord(json) ? json : {};
  const nodes = Array.isArray(set.nodes) ? set.nodes : [];
  const ids = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (!isRecord(node)) return;
    if (typeof node.id === 'string') {
      const first = ids.get(node.id);
      if (first !== undefined) add(`nodes[${i}].id`, `"${node.id}" is used twice (also nodes[${first}])`);
      else ids.set(node.id, i);
    }
    if (isRecord(node.layer) && typeof node.layer.type === 'string') {
      for (const p of layerDraftProblems(node.layer as LayerDraftInput)) {
        add(`nodes[${i}].layer${p.param === undefined ? '.type' : `.${p.param}${p.index === undefined ? '' : `[${p.index}]`}`}`, p.kind === 'missing' ? 'missing' : p.message);
      }
    }
  });
  (Array.isArray(set.edges) ? set.edges : []).forEach((edge, i) => {
    if (!isRecord(edge)) return;
    const { from, to } = edge;
    if (from === OUTPUT_ID || to === INPUT_ID) add(`edges[${i}]`, `${String(from)} → ${String(to)} runs backwards (edges go from "${INPUT_ID}" towards "${OUTPUT_ID}")`);
    if (typeof from === 'string' && from !== INPUT_ID && from !== OUTPUT_ID && !ids.has(from)) add(`edges[${i}].from`, `no node "${from}"`);
    if (typeof to === 'string' && to !== INPUT_ID && to !== OUTPUT_ID && !ids.has(to)) add(`edges[${i}].to`, `no node "${to}"`);
  });
  return sortByPlace(problems);
}

/** Problems in the order their places come in a set: its fields in schema order (unknown ones last), list items by index. */
function sortByPlace(problems: PathProblem[]): PathProblem[] {
  const fields: string[] = Object.keys(ActionSetSchema.shape);
  const rank = (path: string) => {
    const [field = '', index] = path.split(/[.[\]]/);
    const order = fields.indexOf(field);
    return [order === -1 ? fields.length : order, Number(index) || 0] as const;
  };
  return problems
    .map((problem, position) => ({ problem, position, rank: rank(problem.path) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.position - b.position)
    .map(({ problem }) => problem);
}

/** A node's layer as written: a type and each parameter's value or list of values. */
export type LayerDraftInput = { type: string } & Record<string, unknown>;

export interface LayerDraftProblem {
  kind: 'type' | 'unknown-param' | 'empty' | 'missing' | 'value';
  /** The parameter it is about (absent for the type). */
  param?: string;
  /** Which value of a listed parameter. */
  index?: number;
  /** The bad value (kind "value"). */
  value?: unknown;
  message: string;
}

/**
 * What is wrong with one node's layer: an unknown type, unknown or missing parameters, empty lists
 * and bad values, each value of a listed parameter checked on its own (one problem per bad value).
 */
export function layerDraftProblems(layer: LayerDraftInput): LayerDraftProblem[] {
  const schema = LayerSpecSchema.options.find((option) => option.shape.type.value === layer.type);
  if (!schema) return [{ kind: 'type', message: `unknown layer type "${layer.type}" (one of ${LAYER_TYPES.join(', ')})` }];
  const fields = schema.shape as Record<string, z.ZodType>;
  const names = Object.keys(fields).filter((name) => name !== 'type');
  const problems: LayerDraftProblem[] = [];
  for (const [param, value] of Object.entries(layer)) {
    if (param === 'type') continue;
    const field = fields[param];
    if (!field) {
      problems.push({ kind: 'unknown-param', param, message: `unknown parameter "${param}" for ${layer.type} (it has ${names.join(', ') || 'none'})` });
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) problems.push({ kind: 'empty', param, message: 'give at least one value' });
    values.forEach((v, k) => {
      const result = field.safeParse(v, { reportInput: true });
      if (!result.success) problems.push({ kind: 'value', param, value: v, ...(Array.isArray(value) ? { index: k } : {}), message: issueMessage(result.error.issues[0]) });
    });
  }
  for (const param of names) if (!(param in layer) && !fields[param].safeParse(undefined).success) problems.push({ kind: 'missing', param, message: `${layer.type} needs ${param}` });
  return problems;
}

/** Every node's parameter combinations, in node order then value order. */
export function expandChoices(set: ActionSet): Choice[] {
  const choices: Choice[] = [];
  for (const node of set.nodes) {
    const { type, ...params } = node.layer;
    let combos: Array<Record<string, unknown>> = [{ type }];
    for (const [key, value] of Object.entries(params)) {
      const values = Array.isArray(value) ? value : [value];
      combos = combos.flatMap((combo) => values.map((v) => ({ ...combo, [key]: v })));
    }
    for (const combo of combos) {
      const parsed = LayerSpecSchema.safeParse(combo);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
        throw new ActionSetError(`node "${node.id}" (${type}): ${where}${issue.message}`, node.id);
      }
      choices.push({ nodeId: node.id, layer: parsed.data });
    }
  }
  return choices;
}

type Position = typeof INPUT_ID | string;

/**
 * The grammar of one action set for one input shape. Actions are indices: 0 ends the network
 * ("none"), i ≥ 1 appends choices[i − 1].
 */
export class ActionGrammar {
  readonly choices: Choice[];
  private readonly followers = new Map<Position, Set<string>>();
  private readonly enders = new Set<Position>();
  private readonly unconstrained: boolean;
  private readonly completable = new Map<string, boolean>();
  private readonly counts = new Map<string, number>();

  constructor(
    readonly set: ActionSet,
    readonly inputShape: readonly [number, number, number],
  ) {
    this.choices = expandChoices(set);
    this.unconstrained = set.edges.length === 0;
    for (const { from, to } of set.edges) {
      if (to === OUTPUT_ID) this.enders.add(from);
      else {
        if (!this.followers.has(from)) this.followers.set(from, new Set());
        this.followers.get(from)?.add(to);
      }
    }
  }

  /** Number of actions: "none" plus every choice. */
  get size(): number {
    return this.choices.length + 1;
  }

  get maxLayers(): number {
    return this.set.maxLayers;
  }

  /** The input shape as shape inference sees it. */
  get start(): TensorShape {
    const [h, w, c] = this.inputShape;
    return { kind: 'spatial', h, w, c };
  }

  /** Which actions may come after `prefix` (choice actions, 1-based; no 0s). */
  mask(prefix: readonly number[]): boolean[] {
    const { position, shape } = this.walk(prefix);
    const remaining = this.set.maxLayers - prefix.length;
    const mask = new Array<boolean>(this.size).fill(false);
    mask[0] = this.mayEnd(position);
    if (remaining > 0) {
      this.choices.forEach((choice, i) => {
        if (!this.mayFollow(position, choice.nodeId)) return;
        const next = inferLayer(shape, choice.layer);
        if ('error' in next) return;
        mask[i + 1] = this.canFinish(choice.nodeId, next.output, remaining - 1);
      });
    }
    return mask;
  }

  /** The layers of a network given as choice actions; stops at the first 0. */
  layers(actions: readonly number[]): LayerSpec[] {
    const end = actions.indexOf(0);
    return (end === -1 ? actions : actions.slice(0, end)).map((a) => {
      const choice = this.choices[a - 1];
      if (!choice) throw new ActionSetError(`action ${a} is out of range (1–${this.choices.length})`);
      return choice.layer;
    });
  }

  /** How many distinct valid networks the set allows (Infinity past 2^53). */
  countNetworks(): number {
    return this.countFrom(INPUT_ID, this.start, this.set.maxLayers);
  }

  /** Whether at least one valid network exists. */
  allowsAnyNetwork(): boolean {
    return this.canFinish(INPUT_ID, this.start, this.set.maxLayers);
  }

  private walk(prefix: readonly number[]): { position: Position; shape: TensorShape } {
    let position: Position = INPUT_ID;
    let shape = this.start;
    for (const action of prefix) {
      const choice = this.choices[action - 1];
      if (!choice) throw new ActionSetError(`action ${action} is out of range (1–${this.choices.length})`);
      const next = inferLayer(shape, choice.layer);
      if ('error' in next) throw new ActionSetError(`prefix is not a valid network: ${next.error}`, choice.nodeId);
      position = choice.nodeId;
      shape = next.output;
    }
    return { position, shape };
  }

  private mayFollow(position: Position, nodeId: string): boolean {
    return this.unconstrained || (this.followers.get(position)?.has(nodeId) ?? false);
  }

  private mayEnd(position: Position): boolean {
    return this.unconstrained || this.enders.has(position);
  }

  /** Whether a network at `position` with `shape` can be ended validly within `remaining` more layers. */
  private canFinish(position: Position, shape: TensorShape, remaining: number): boolean {
    if (this.mayEnd(position)) return true;
    if (remaining === 0) return false;
    const key = `${position}|${shapeKey(shape)}|${remaining}`;
    const known = this.completable.get(key);
    if (known !== undefined) return known;
    const result = this.choices.some((choice) => {
      if (!this.mayFollow(position, choice.nodeId)) return false;
      const next = inferLayer(shape, choice.layer);
      return !('error' in next) && this.canFinish(choice.nodeId, next.output, remaining - 1);
    });
    this.completable.set(key, result);
    return result;
  }

  private countFrom(position: Position, shape: TensorShape, remaining: number): number {
    const key = `${position}|${shapeKey(shape)}|${remaining}`;
    const known = this.counts.get(key);
    if (known !== undefined) return known;
    let total = this.mayEnd(position) ? 1 : 0;
    if (remaining > 0) {
      for (const choice of this.choices) {
        if (!this.mayFollow(position, choice.nodeId)) continue;
        const next = inferLayer(shape, choice.layer);
        if (!('error' in next)) total += this.countFrom(choice.nodeId, next.output, remaining - 1);
      }
    }
    const count = total > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : total;
    this.counts.set(key, count);
    return count;
  }
}
