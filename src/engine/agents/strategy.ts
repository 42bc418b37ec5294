/** Helpers shared by the agents: sampling whole candidates under an action set's masks, and what layer-wise agents need. */

/** The allowed values of slot `prefix.length` given the earlier slots (an action set's grammar). */
export type SlotMask = (prefix: readonly number[]) => boolean[];

/** Uniform over the allowed values of each slot in turn, from slot `prefix.length` on. */
export function sampleMasked(nvec: readonly number[], slotMask: SlotMask, next: (n: number) => number, prefix: readonly number[] = []): number[] {
  const action = [...prefix];
  while (action.length < nvec.length) {
    const allowed = allowedValues(slotMask(action));
    if (allowed.length === 0) throw new Error(`no allowed value for slot ${action.length + 1} after ${JSON.stringify(action)}`);
    action.push(allowed[next(allowed.length)]);
  }
  return action;
}

export function allowedValues(mask: readonly boolean[]): number[] {
  return mask.flatMap((ok, value) => (ok ? [value] : []));
}

/** Choices per step of an agent that picks one slot per step: the same for every slot, or it cannot. */
export function layerwiseChoices(nvec: readonly number[]): number {
  if (new Set(nvec).size !== 1) throw new Error('layer-wise mode needs every slot to have the same choices');
  return nvec[0];
}

/** An agent update's finite numbers (what agent_updated reports). */
export function numericDiagnostics(update: object): Record<string, number> {
  return Object.fromEntries(Object.entries(update).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
}
