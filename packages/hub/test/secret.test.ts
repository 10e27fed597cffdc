import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveSecret } from '../src/keys/secret.ts';

test('a development secret is made once, 0600, and reused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omd-secret-'));
  const first = resolveSecret(undefined, dir);
  assert.equal(first.length, 48);
  assert.deepEqual(resolveSecret(undefined, dir), first);
  assert.equal(statSync(join(dir, 'hub-secret')).mode & 0o777, 0o600);
  assert.ok(readFileSync(join(dir, 'hub-secret'), 'utf8').length > 0);
});

test('an empty or short secret file is refused with a clear message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omd-secret-'));
  writeFileSync(join(dir, 'hub-secret'), '');
  assert.throws(() => resolveSecret(undefined, dir), /shorter than 32 bytes/);
});

test('a configured secret wins', () => {
  const secret = Buffer.alloc(32, 9);
  assert.equal(resolveSecret(secret, '/nonexistent'), secret);
});
