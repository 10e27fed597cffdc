import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkRecords, InvalidRecordsError } from '../src/check-records.ts';
import { MemoryReplayStore, PROBLEM_CATALOGUE, RETIRED_PROBLEM_CODES } from '../src/index.ts';
import { redactError } from '../src/redact.ts';
import { testClock } from './fixtures.ts';

const SRC = `${join(import.meta.dirname, '../src')}/`;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('problem catalogue', () => {
  it('holds every code the source throws, plus every RequestTokenError code', async () => {
    const used = new Set<string>(['token_invalid', 'token_expired', 'token_wrong_audience', 'token_lifetime', 'token_claims']);
    for (const file of await sourceFiles(SRC)) {
      for (const match of (await readFile(file, 'utf8')).matchAll(/new ProviderError\('([a-z_]+)'/g)) used.add(match[1] as string);
    }
    for (const code of used) assert.ok(Object.hasOwn(PROBLEM_CATALOGUE, code), `${code} is missing from the catalogue`);
  });

  it('uses snake_case codes, HTTP error statuses, and never reuses a retired code', () => {
    for (const [code, entry] of Object.entries(PROBLEM_CATALOGUE)) {
      assert.match(code, /^[a-z]+(_[a-z]+)*$/);
      assert.ok(entry.status >= 400 && entry.status <= 599, code);
      assert.ok(entry.title.length > 0 && entry.detail.length > 0, code);
      assert.equal(RETIRED_PROBLEM_CODES.includes(code), false, `${code} was retired`);
    }
  });
});

describe('MemoryReplayStore', () => {
  it('accepts a jti once until it expires', () => {
    const clock = testClock(new Date('2025-06-02T03:00:00Z'));
    const store = new MemoryReplayStore({ now: clock.now });
    const until = new Date(clock.now().getTime() + 30_000);
    assert.equal(store.remember('jti-0000000000000001', until), true);
    assert.equal(store.remember('jti-0000000000000001', until), false);
    assert.equal(store.remember('jti-0000000000000002', until), true);
    clock.advance(31);
    assert.equal(store.remember('jti-0000000000000003', new Date(clock.now().getTime() + 30_000)), true);
    assert.equal(store.size, 1, 'expired ids are swept');
  });
});

describe('checkRecords', () => {
  it('accepts null and records of JSON field values', () => {
    assert.equal(checkRecords(null), null);
    assert.deepEqual(checkRecords({ records: [{ a: 'x', b: 1, c: true, d: null }] }), { records: [{ a: 'x', b: 1, c: true, d: null }] });
  });

  it('refuses other shapes naming the position, never the value', () => {
    for (const bad of [undefined, 'x', {}, { records: 'x' }, { records: [[1]] }, { records: [{ a: Number.NaN }] }, { records: [{ a: { b: 1 } }] }]) {
      assert.throws(() => checkRecords(bad), InvalidRecordsError);
    }
    assert.throws(
      () => checkRecords({ records: [{ secret: new Date(0) }] }),
      (error: unknown) => error instanceof InvalidRecordsError && /records\[0\]\.secret is a Date/.test(error.message) && !error.message.includes('1970'),
    );
  });
});

describe('redactError', () => {
  it('cuts the subject from message and stack, in any case', () => {
    const logged = redactError(new Error('no row for a123456789 (A123456789)'), 'A123456789');
    assert.equal(logged.message, 'no row for [subject] ([subject])');
    assert.equal(logged.stack?.includes('123456789'), false);
  });
});
