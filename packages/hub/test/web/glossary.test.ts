// docs/glossary.md fixes the words; the pages say exactly what it says for every ledger action.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LEDGER_ACTIONS } from '../../src/ledger/entry.ts';
import { isMessageKey, translator } from '../../src/web/i18n.ts';

const glossary = readFileSync(join(import.meta.dirname, '../../../../docs/glossary.md'), 'utf8');

test('every ledger action is in the glossary, and the history page names it as the glossary does', () => {
  const section = glossary.slice(glossary.indexOf('## Ledger actions'));
  const rows = new Map(
    [...section.matchAll(/^\| `([a-z_]+)` \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => [
      m[1] as string,
      { 'zh-TW': (m[2] as string).trim(), en: (m[3] as string).trim() },
    ]),
  );
  assert.deepEqual([...rows.keys()].sort(), [...LEDGER_ACTIONS].sort());
  for (const [action, names] of rows) {
    const key = `action_${action}`;
    assert.ok(isMessageKey(key), key);
    assert.equal(translator('zh-TW')(key), names['zh-TW'], action);
    assert.equal(translator('en')(key), names.en, action);
  }
});
