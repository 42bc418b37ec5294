/** Acquisition functions on a predictor's latent mean and standard deviation (higher is better). */
import { normalCdf, normalPdf } from './normal';

export type AcquisitionKind = 'ucb' | 'ei';

export interface Acquisition {
  kind: AcquisitionKind;
  /** UCB's exploration weight κ: mean + κ·std. */
  kappa: number;
}

/** Upper confidence bound, or expected improvement over `best`. */
export function acquisitionValue(a: Acquisition, mean: number, std: number, best: number): number {
  if (a.kind === 'ucb') return mean + a.kappa * std;
  const z = (mean - best) / std;
  return (mean - best) * normalCdf(z) + std * normalPdf(z);
}
