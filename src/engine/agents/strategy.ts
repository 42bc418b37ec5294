/** Sampling helpers shared by the agents that propose whole candidates under an action set's masks. */

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
