// docs/provider-api.md section 6.2 lists the failure reasons the hub reports for a data set; the
// list an agency reads and the broker's own must be the same.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FAILURE_MESSAGES } from '../../src/broker/outcome.ts';

test('section 6.2 lists exactly the failure reasons the broker reports', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../../../docs/provider-api.md'), 'utf8');
  const start = doc.indexOf('### 6.2 What the hub reports');
  assert.ok(start >= 0, 'docs/provider-api.md has a section 6.2');
  const section = doc.slice(start, doc.indexOf('\n## ', start));
  const documented = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(FAILURE_MESSAGES).sort());
});
