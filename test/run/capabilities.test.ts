import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTIN_SUITES } from '../../src/probes/registry.js';
import { CAPABILITY_SUITES, EXPOSURE_SUITES } from '../../src/run/capabilities.js';

test('the built-in probe suites are the capability table, in stage order (samples aside)', () => {
  assert.deepEqual(
    BUILTIN_SUITES.map((s) => s.name).filter((n) => n !== 'samples'),
    CAPABILITY_SUITES,
  );
  assert.deepEqual(EXPOSURE_SUITES, ['recall', 'facts']);
});
