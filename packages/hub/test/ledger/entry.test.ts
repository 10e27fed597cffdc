// Ledger entries: what they may hold, their canonical leaf bytes, and the subject key.
import assert from 'node:assert/strict';
import { createHmac, hkdfSync } from 'node:crypto';
import { test } from 'node:test';
import { canonicalJson } from '../../src/ledger/canonical-json.ts';
import { checkEntryInputs, type LedgerEntryInput, LedgerEntryError, stampEntry } from '../../src/ledger/entry.ts';
import { decodeLeaf, encodeLeaf } from '../../src/ledger/leaf.ts';
import { leafHash } from '../../src/ledger/merkle.ts';
import { subjectKey, subjectKeyer } from '../../src/keys/subject-key.ts';

const SECRET = Buffer.alloc(32, 3);
const SUBJECT = subjectKey(SECRET, 'A123456789');

const good: LedgerEntryInput = {
  action: 'consent_granted',
  actor: { kind: 'citizen', id: SUBJECT },
  subject: SUBJECT,
  datasets: ['household-personal', 'income'],
  consent: 'c0d1e2f3-0000-4000-8000-000000000001',
  recipient: 'svc-low-income-subsidy',
  purpose: '申請低收入戶補助 / low-income subsidy application',
  outcome: 'ok',
};

function refused(input: unknown, field: RegExp) {
  assert.throws(
    () => checkEntryInputs([input as LedgerEntryInput]),
    (error: unknown) => error instanceof LedgerEntryError && error.problems.some((p) => field.test(p)),
  );
}

test('the subject key is HMAC-SHA-256 under an HKDF-derived key, of the normalised ID', () => {
  const key = Buffer.from(hkdfSync('sha256', SECRET, Buffer.alloc(0), 'openmydata subject key', 32));
  assert.equal(SUBJECT, createHmac('sha256', key).update('A123456789').digest('hex'));
  assert.match(SUBJECT, /^[0-9a-f]{64}$/);
  assert.equal(subjectKey(SECRET, ' a123456789 '), SUBJECT, 'trimmed and upper-cased first');
  assert.notEqual(subjectKey(Buffer.alloc(32, 4), 'A123456789'), SUBJECT, 'another secret, another key');
  assert.notEqual(subjectKeyer(SECRET)('B287654326'), SUBJECT);
  assert.throws(() => subjectKey(SECRET, 'A123456788'), { name: 'SubjectIdError', message: /checksum/ });
  assert.throws(() => subjectKey(SECRET, 'hello'), { name: 'SubjectIdError', message: /shape/ });
});

test('canonical JSON sorts keys, has no whitespace and holds integers only', () => {
  assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: '\u00e9', y: '"' } }), '{"a":[true,null,"x"],"b":1,"c":{"y":"\\"","z":"é"}}');
  assert.equal(canonicalJson({ '\u00e9': 1, z: 2, Z: 3 }), '{"Z":3,"z":2,"é":1}', 'UTF-16 code unit order');
  assert.throws(() => canonicalJson({ x: 1.5 }), TypeError);
  assert.throws(() => canonicalJson({ x: Number.NaN }), TypeError);
});

test('leaf bytes are the canonical entry; decoding insists on canonical form', () => {
  const [checked] = checkEntryInputs([good]);
  assert.ok(checked);
  const entry = stampEntry(checked, 42, '2026-01-02T03:04:05.678Z');
  const leaf = encodeLeaf(entry);
  assert.equal(
    leaf.toString('utf8'),
    `{"action":"consent_granted","actor":{"id":"${SUBJECT}","kind":"citizen"},"consent":"c0d1e2f3-0000-4000-8000-000000000001",` +
      `"datasets":["household-personal","income"],"index":42,"outcome":"ok","purpose":"申請低收入戶補助 / low-income subsidy application",` +
      `"recipient":"svc-low-income-subsidy","subject":"${SUBJECT}","time":"2026-01-02T03:04:05.678Z","v":1}`,
  );
  assert.deepEqual(decodeLeaf(leaf), entry);
  assert.equal(leafHash(leaf).length, 32);
  assert.equal(decodeLeaf(Buffer.from(leaf.toString('utf8').replace('{"action"', '{ "action"'))), undefined, 'whitespace is not canonical');
  assert.equal(decodeLeaf(Buffer.from('not json')), undefined);
  assert.equal(decodeLeaf(Buffer.from(leaf.toString('utf8').replace('"v":1', '"v":1,"name":"x"'))), undefined, 'no extra fields');
});

test('absent fields are null, and datasets an empty list', () => {
  const [checked] = checkEntryInputs([{ action: 'operator_action', actor: { kind: 'operator', id: 'op-7' }, outcome: 'key_rotated' }]);
  assert.deepEqual(checked, {
    action: 'operator_action',
    actor: { kind: 'operator', id: 'op-7' },
    subject: null,
    datasets: [],
    consent: null,
    recipient: null,
    purpose: null,
    outcome: 'key_rotated',
  });
});

test('entries are refused when they could carry personal data or break the format', () => {
  refused({ ...good, subject: 'A123456789' }, /^subject/);
  refused({ ...good, actor: { kind: 'citizen', id: 'A123456789' } }, /^actor\.id/);
  refused({ ...good, actor: { kind: 'staff', id: 'staff-A123456789' } }, /^actor\.id: looks like a national ID/);
  refused({ ...good, consent: 'a123456789' }, /^consent/);
  refused({ ...good, recipient: 'wang@example.com' }, /^recipient/);
  refused({ ...good, purpose: 'for A123456789 only' }, /^purpose: looks like it holds a national ID/);
  refused({ ...good, purpose: 'for Ａ１２３４５６７８９ only' }, /^purpose: looks like it holds a national ID/);
  refused({ ...good, purpose: 'resident AC01234567 renewal' }, /^purpose: looks like it holds a national ID/);
  refused({ ...good, purpose: 'mail wang@example.com' }, /^purpose: looks like it holds an e-mail/);
  refused({ ...good, purpose: 'x'.repeat(501) }, /^purpose/);
  refused({ ...good, purpose: 'line\nbreak' }, /^purpose: holds control characters/);
  refused({ ...good, purpose: '' }, /^purpose/);
  refused({ ...good, datasets: ['Income'] }, /^datasets/);
  refused({ ...good, datasets: ['income', 'income'] }, /^datasets: data set ids repeat/);
  refused({ ...good, action: 'read_everything' }, /^action/);
  refused({ ...good, outcome: 'OK because' }, /^outcome/);
  refused({ ...good, name: '王小明' }, /unrecognized|name/i);
  refused({ ...good, address: '台北市' }, /unrecognized|address/i);
});

test('a refusal names fields and rules, never the value', () => {
  try {
    checkEntryInputs([good, { ...good, purpose: 'for A123456789 only' }]);
    assert.fail('should refuse');
  } catch (error) {
    assert.ok(error instanceof LedgerEntryError);
    assert.equal(error.position, 1);
    assert.doesNotMatch(error.message, /A123456789/);
  }
});

test('ids that merely contain digits are fine: uuids, data set ids, ordinary text', () => {
  const ids = checkEntryInputs([
    { ...good, consent: 'a1234567-89ab-4def-8123-456789012345', purpose: 'tax year 2025, form 1234567890' },
    { ...good, consent: 'b123456789c', recipient: 'agency-01' },
  ]);
  assert.equal(ids.length, 2);
});
