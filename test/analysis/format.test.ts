import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLog10, formatTokens } from '../../src/analysis/format.js';

test('formatTokens: two significant digits, units k M B T, no rounding artefacts', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [512, '512'],
    [1234, '1.2k'],
    [9999, '10k'],
    [99990, '100k'],
    [999_999, '1M'],
    [3.45e6, '3.5M'],
    [2e9, '2B'],
    [1.5e12, '1.5T'],
  ];
  for (const [n, s] of cases) assert.equal(formatTokens(n), s, `${n}`);
  assert.equal(formatLog10(6), '1M');
});
