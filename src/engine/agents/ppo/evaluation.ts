/** How good an agent is: its policy's returns (SB3's evaluate_policy) and its value function's fit. */
import type { Space } from '../../envs/spaces';
import { isPromiseLike, type Env, type StepResult } from '../../envs/types';

/** What evaluatePolicy needs of an agent: its action for one observation. */
export interface Policy {
  predict(obs: unknown, options: { actionMasks?: boolean[] | null; deterministic?: boolean }, space: Space): number | number[];
}

/** Mean episode return of a policy over nEpisodes (SB3's evaluate_policy; deterministic by default). */
export async function evaluatePolicy(
  policy: Policy,
  env: Env<Space, Space>,
  nEpisodes: number,
  options: { deterministic?: boolean; useMasks?: boolean; seed?: number } = {},
): Promise<{ mean: number; std: number; returns: number[] }> {
  const returns: number[] = [];
  for (let ep = 0; ep < nEpisodes; ep++) {
    let { obs } = env.reset(ep === 0 ? options.seed : undefined);
    let total = 0;
    for (;;) {
      const masks = options.useMasks !== false && env.actionMasks ? env.actionMasks() : null;
      const action = policy.predict(obs, { actionMasks: masks, deterministic: options.deterministic ?? true }, env.observationSpace);
      const out = env.step(action as never);
      const res: StepResult<unknown> = isPromiseLike(out) ? await out : out;
      total += res.reward;
      obs = res.obs as typeof obs;
      if (res.terminated || res.truncated) break;
    }
    returns.push(total);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
  return { mean, std, returns };
}

/** 1 − Var(y − ŷ)/Var(y) (population variances, as SB3); NaN when Var(y) = 0. */
export function explainedVariance(yPred: ArrayLike<number>, yTrue: ArrayLike<number>): number {
  const n = yTrue.length;
  let mt = 0;
  let md = 0;
  for (let i = 0; i < n; i++) {
    mt += yTrue[i];
    md += yTrue[i] - yPred[i];
  }
  mt /= n;
  md /= n;
  let vt = 0;
  let vd = 0;
  for (let i = 0; i < n; i++) {
    vt += (yTrue[i] - mt) ** 2;
    vd += (yTrue[i] - yPred[i] - md) ** 2;
  }
  return vt === 0 ? NaN : 1 - vd / vt;
}
