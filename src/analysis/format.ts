/** Number formatting shared by the analysis messages and the report. */

/** 1234 -> "1.2k", 3.4e6 -> "3.4M", 2e9 -> "2B" (two significant digits, at least). */
export function formatTokens(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, unit] of units) {
    if (Math.abs(n) >= scale) return `${trim((n / scale).toPrecision(n / scale >= 100 ? 3 : 2))}${unit}`;
  }
  return trim(n >= 100 ? n.toFixed(0) : n.toPrecision(2));
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** A log10(tokens) position as tokens: 6.5 -> "3.2M". */
export const formatLog10 = (x: number): string => formatTokens(10 ** x);
