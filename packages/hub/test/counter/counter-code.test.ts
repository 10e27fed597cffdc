// The counter code and the keys derived from it: what a scanner or a clerk may send, and that the
// lookup hash and the code key depend on the code, the hub secret and (the key) the package.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CODE_ALPHABET, CODE_LENGTH, codeKeys, groupCode, MAX_CODE_INPUT, newCounterCode, readCodeInput } from '../../src/delivery/counter/counter-code.ts';

test('new codes are 8 characters of the unambiguous alphabet and read back as themselves', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const code = newCounterCode();
    assert.equal(code.length, CODE_LENGTH);
    for (const c of code) assert.ok(CODE_ALPHABET.includes(c), `${c} is outside the alphabet`);
    assert.deepEqual(readCodeInput(code), { ok: true, code });
    seen.add(code);
  }
  assert.ok(seen.size > 195, 'codes repeat far more than 40 random bits allow');
  for (const c of 'ILOU') assert.ok(!CODE_ALPHABET.includes(c));
});

test('typed input is forgiven the Crockford way; garbage and over-long input are refused', () => {
  assert.deepEqual(readCodeInput(' ab0d-efgh '), { ok: true, code: 'AB0DEFGH' });
  assert.deepEqual(readCodeInput('oiL2 3456'), { ok: true, code: '01123456' });
  assert.deepEqual(readCodeInput('ＡＢＣＤ１２３４'), { ok: true, code: 'ABCD1234' });
  assert.deepEqual(readCodeInput('   '), { ok: false, problem: 'empty' });
  assert.deepEqual(readCodeInput('ABCDEFG'), { ok: false, problem: 'malformed' });
  assert.deepEqual(readCodeInput('ABCDEFGHJ'), { ok: false, problem: 'malformed' });
  assert.deepEqual(readCodeInput('ABCDEFGU'), { ok: false, problem: 'malformed' });
  assert.deepEqual(readCodeInput('<b>ABCD</b>'), { ok: false, problem: 'malformed' });
  assert.deepEqual(readCodeInput('A'.repeat(MAX_CODE_INPUT + 1)), { ok: false, problem: 'too_long' });
  assert.equal(groupCode('ABCD1234'), 'ABCD 1234');
});

test('the lookup hash and the code key come from the code and the hub secret; the key is bound to its package', async () => {
  const secret = randomBytes(32);
  const keys = codeKeys(secret);
  const a = await keys.stretch('ABCD1234');
  const again = await codeKeys(Buffer.from(secret)).stretch('ABCD1234');
  assert.match(a.hash, /^[0-9a-f]{64}$/);
  assert.equal(again.hash, a.hash, 'another hub process with the same secret must find the code');
  assert.deepEqual(again.packageKey('p1'), a.packageKey('p1'));
  assert.equal(a.packageKey('p1').length, 32);
  assert.notDeepEqual(a.packageKey('p1'), a.packageKey('p2'));
  const other = await keys.stretch('ABCD1235');
  assert.notEqual(other.hash, a.hash);
  assert.notDeepEqual(other.packageKey('p1'), a.packageKey('p1'));
  const otherHub = await codeKeys(randomBytes(32)).stretch('ABCD1234');
  assert.notEqual(otherHub.hash, a.hash, 'without the hub secret the hash cannot be made');
  assert.notDeepEqual(otherHub.packageKey('p1'), a.packageKey('p1'));
  // Neither form contains the code.
  assert.ok(!a.hash.includes('abcd1234'));
  assert.notEqual(keys.confirmationHash('r1', '123456'), keys.confirmationHash('r2', '123456'));
});
