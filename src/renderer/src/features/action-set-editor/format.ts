/** The network count as the toolbar shows it. */

/** "1 network", "12,345 networks", "≈ 1.2 × 10¹² networks", "more than 9.0 × 10¹⁵ networks". */
export function formatCount(count: number | null): string {
  if (count === null) return '— networks';
  const noun = count === 1 ? 'network' : 'networks';
  if (!Number.isFinite(count)) return `more than ${scientific(Number.MAX_SAFE_INTEGER)} ${noun}`;
  if (count < 1e9) return `${count.toLocaleString('en-US')} ${noun}`;
  return `≈ ${scientific(count)} ${noun}`;
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

function scientific(n: number): string {
  const exponent = Math.floor(Math.log10(n));
  const mantissa = n / 10 ** exponent;
  const digits = String(exponent)
    .split('')
    .map((d) => SUPERSCRIPT[Number(d)])
    .join('');
  return `${mantissa.toFixed(1)} × 10${digits}`;
}
