/**
 * Means and their confidence intervals, for the analysis views (which choices matter, runs that
 * differ only in seed). The interval is Student's t: mean ± t(1 − α/2, n − 1) · s / √n, with s the
 * sample standard deviation; it needs two values or more.
 */

export interface MeanInterval {
  n: number;
  mean: number;
  /** The interval's ends; null with fewer than two values. */
  low: number | null;
  high: number | null;
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** The sample standard deviation (n − 1 in the denominator); NaN for fewer than two values. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = mean(values);
  let sq = 0;
  for (const v of values) sq += (v - m) ** 2;
  return Math.sqrt(sq / (values.length - 1));
}

/** The mean with its `level` (default 95%) t interval; undefined for no values. */
export function meanInterval(values: readonly number[], level = 0.95): MeanInterval | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const m = mean(values);
  if (n < 2) return { n, mean: m, low: null, high: null };
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sampleStd(values) / Math.sqrt(n));
  return { n, mean: m, low: m - half, high: m + half };
}

/** The p-quantile of Student's t distribution with df degrees of freedom (p in (0, 1)). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`studentTQuantile: p must be in (0, 1) and df > 0 (got ${p}, ${df})`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  // The CDF is increasing: bisect on t ≥ 0, after doubling an upper bound.
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** P(T ≤ t) for Student's t with df degrees of freedom: 1 − I_x(df/2, 1/2) / 2 with x = df / (df + t²), for t ≥ 0. */
export function studentTCdf(t: number, df: number): number {
  const tail = regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5) / 2;
  return t >= 0 ? 1 - tail : tail;
}

/** I_x(a, b), from its continued fraction (modified Lentz), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where it converges faster. */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
  return (front * betaContinuedFraction(x, a, b)) / a;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 500; m++) {
    // The even step, then the odd one, of the fraction's terms.
    for (const numerator of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + numerator * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-15) break;
  }
  return f;
}

/** ln Γ(z) for z > 0 (Lanczos' approximation, g = 7, nine coefficients). */
function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const g = 7;
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const x = z - 1;
  let sum = coefficients[0];
  for (let i = 1; i < coefficients.length; i++) sum += coefficients[i] / (x + i);
  const t = x + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}
