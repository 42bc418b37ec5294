/**
 * The agent's policy over its updates as a heatmap: a row per value of each slot, a column per
 * update, each cell the probability the policy gave that value (see PolicySnapshotSchema). Values
 * that never reach 1% are left out, so an action set's many choices fit. Pure, for the view and tests.
 */
import { ActionGrammar, parseActionSet } from '../../../../shared/action-set';
import type { AgentUpdateRow } from '../../../../shared/history';
import { describeLayer } from '../../../../shared/layers';
import { NB201_OP_LABELS, NB201_OPS, nb201EdgeLabel } from '../../../../shared/nb201';
import { configInput, type RunConfig } from '../../../../shared/run-config';

/** Below this in every update, a value's row is left out. */
export const MIN_SHOWN_PROBABILITY = 0.01;

export interface PolicyLabels {
  slot(slot: number): string;
  value(slot: number, value: number): string;
}

/** How a run's slots and values read: a cell's edges and operations, or an action set's layers (value 0 ends the network). */
export function policyLabels(config: RunConfig): PolicyLabels {
  if (config.evaluator === 'nb201') {
    return { slot: nb201EdgeLabel, value: (_slot, value) => NB201_OP_LABELS[NB201_OPS[value]] ?? `op ${value}` };
  }
  let choices: string[] = [];
  const input = configInput(config);
  try {
    if (config.actionSet && input) choices = new ActionGrammar(parseActionSet(config.actionSet), input.inputShape).choices.map((c) => describeLayer(c.layer));
  } catch {
    // An action set that no longer parses: its values are shown by number.
  }
  return { slot: (slot) => `layer ${slot + 1}`, value: (_slot, value) => (value === 0 ? 'end of network' : (choices[value - 1] ?? `choice ${value}`)) };
}

export interface HeatmapRow {
  slot: number;
  value: number;
  slotLabel: string;
  valueLabel: string;
  /** Probability per update, in the columns' order. */
  cells: number[];
}

export interface PolicyHeatmap {
  /** Candidates evaluated at each update (the columns). */
  columns: number[];
  rows: HeatmapRow[];
  /** Values left out because they never reached MIN_SHOWN_PROBABILITY. */
  hidden: number;
}

/** The heatmap of the updates that recorded a policy; null when none did (agents without one, older runs). */
export function policyHeatmap(updates: readonly AgentUpdateRow[], labels: PolicyLabels): PolicyHeatmap | null {
  const recorded = updates.filter((u) => u.policy !== null && u.policy.length > 0);
  if (recorded.length === 0) return null;
  const slots = Math.max(...recorded.map((u) => u.policy!.length));
  const rows: HeatmapRow[] = [];
  let hidden = 0;
  for (let slot = 0; slot < slots; slot++) {
    const values = Math.max(...recorded.map((u) => u.policy![slot]?.length ?? 0));
    for (let value = 0; value < values; value++) {
      const cells = recorded.map((u) => u.policy![slot]?.[value] ?? 0);
      if (Math.max(...cells) < MIN_SHOWN_PROBABILITY) {
        hidden++;
        continue;
      }
      rows.push({ slot, value, slotLabel: labels.slot(slot), valueLabel: labels.value(slot, value), cells });
    }
  }
  return { columns: recorded.map((u) => u.evaluations), rows, hidden };
}
