/**
 * The first screen's one-click search: the launcher's own defaults (PPO, synthetic data, which needs
 * no download, 20 candidates of 2 epochs) on a built-in action set, checked by the launcher's rules.
 */
import type { ActionSetRow } from '../../../../shared/history';
import type { RunConfigInput } from '../../../../shared/run-config';
import { DEFAULT_LAUNCH_FORM, validateLaunch, type LaunchForm } from '../run-live/launch-form';

/** The built-in set a first search uses: mlp (small dense networks, quick to train), else the first built-in. */
export const QUICK_START_SET = 'mlp';

export function quickStartSet(sets: readonly ActionSetRow[]): ActionSetRow | undefined {
  const builtins = sets.filter((s) => s.builtin);
  return builtins.find((s) => s.name === QUICK_START_SET) ?? builtins[0];
}

export function quickStartForm(set: Pick<ActionSetRow, 'id' | 'name'>): LaunchForm {
  return { ...DEFAULT_LAUNCH_FORM, name: `First search (${set.name})`, actionSet: String(set.id) };
}

/** The run config of the one-click search, or why there is none (no built-in set). */
export function quickStartConfig(sets: readonly ActionSetRow[]): { config: RunConfigInput; form: LaunchForm; set: ActionSetRow } | { error: string } {
  const set = quickStartSet(sets);
  if (!set) return { error: 'no built-in action set: restore the defaults in Action sets' };
  const form = quickStartForm(set);
  const { config, errors } = validateLaunch(form, sets);
  if (!config) return { error: Object.values(errors).join('; ') };
  return { config, form, set };
}
