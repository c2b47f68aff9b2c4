/** Number formatting shared by the analysis messages and the report. */

const UNITS: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
  [1, ''],
];

/**
 * Token counts with two significant digits (more above 100 of a unit): 1234 -> "1.2k",
 * 99990 -> "100k", 3.4e6 -> "3.4M", 2e9 -> "2B", 512 -> "512".
 */
export function formatTokens(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) < 1) return n === 0 ? '0' : n.toPrecision(2);
  for (let u = 0; u < UNITS.length; u++) {
    const [scale, unit] = UNITS[u];
    if (Math.abs(n) < scale) continue;
    const v = n / scale;
    const text = Math.abs(v) < 9.95 ? v.toFixed(1).replace(/\.0$/, '') : v.toFixed(0);
    // Rounding up into the next unit ("1000k") reads as that unit instead ("1M").
    if (u > 0 && Math.abs(Number(text)) >= 1000) return `1${UNITS[u - 1][1]}`;
    return `${text}${unit}`;
  }
  return String(n);
}

/** A log10(tokens) position as tokens: 6.5 -> "3.2M". */
export const formatLog10 = (x: number): string => formatTokens(10 ** x);
