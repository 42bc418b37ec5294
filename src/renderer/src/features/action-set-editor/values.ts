/**
 * A parameter's value(s) as the editor holds them, and the text the inspector shows for them: one
 * value, or a list of allowed values (each one a separate choice for the agent).
 */

export type ParamScalar = string | number | boolean;
/** One value, or a list of allowed values (each one a separate choice for the agent). */
export type ParamValue = ParamScalar | ParamScalar[];
/** A node's layer as the action set stores it: the type and each parameter's value(s). */
export interface LayerDraft {
  type: string;
  [param: string]: ParamValue;
}

export function valuesOf(value: ParamValue | undefined): ParamScalar[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** "16, 32, 64" for [16, 32, 64]; "" when left out. */
export function formatValues(value: ParamValue | undefined): string {
  return valuesOf(value).map(String).join(', ');
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * A comma- (or space-) separated list as the user typed it: numbers become numbers, true/false
 * booleans, anything else stays text (validation then says what is wrong with it). Duplicates are
 * dropped; nothing left means "left out" (undefined); one value is stored as a plain value.
 */
export function parseValuesText(text: string): ParamValue | undefined {
  const values: ParamScalar[] = [];
  for (const token of text.split(/[,;\s]+/)) {
    if (!token) continue;
    let value: ParamScalar = token;
    if (NUMBER.test(token)) value = Number(token);
    else if (token === 'true' || token === 'false') value = token === 'true';
    if (!values.some((v) => v === value)) values.push(value);
  }
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values;
}

/** Adds or removes one value of a list parameter (the inspector's chips). */
export function toggleValue(value: ParamValue | undefined, item: ParamScalar): ParamValue | undefined {
  const values = valuesOf(value);
  const next = values.includes(item) ? values.filter((v) => v !== item) : [...values, item];
  if (next.length === 0) return undefined;
  return next.length === 1 ? next[0] : next;
}

/** How many concrete layers a node expands to (the product of its list lengths). */
export function choiceCount(layer: LayerDraft): number {
  let count = 1;
  for (const [key, value] of Object.entries(layer)) if (key !== 'type') count *= Math.max(1, valuesOf(value).length);
  return count;
}

/** Same values in the same order (the inspector's text ↔ value sync). */
export function sameValue(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  const va = valuesOf(a);
  const vb = valuesOf(b);
  return va.length === vb.length && va.every((v, i) => v === vb[i]);
}
