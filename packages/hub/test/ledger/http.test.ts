// The public ledger API over real HTTP: signed tree heads, keys, consistency and inclusion proofs,
// leaf hashes, and clear 400 problems for bad parameters (never a 500).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { flattenedVerify, importJWK, type JWK } from 'jose';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify-proof.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { sampleEntry } from './fixtures/open-ledger.ts';

let t: TestHub;
before(async () => {
  t = await startTestHub();
});
after(async () => t.stop());

interface Sth {
  tree_size: number;
  timestamp: number;
  root_hash: string;
  signature: string;
  key_id: string;
}

async function get<T>(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T; res: Response }> {
  const res = await fetch(`${t.url}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as T, res };
}

async function sth(): Promise<Sth> {
  const { status, body } = await get<Sth>('/api/v1/ledger/sth');
  assert.equal(status, 200);
  return body;
}

/** Checks a tree head the way an outside auditor would, from the published fields and key only. */
async function auditorChecksSignature(head: Sth): Promise<boolean> {
  const { body } = await get<{ keys: JWK[] }>('/api/v1/ledger/key');
  const jwk = body.keys.find((k) => k.kid === head.key_id);
  assert.ok(jwk, 'the signing key is published');
  assert.equal(jwk.d, undefined, 'no private part');
  const payload = `{"root_hash":"${head.root_hash}","timestamp":${head.timestamp},"tree_size":${head.tree_size}}`;
  const [protectedHeader, empty, signature] = head.signature.split('.');
  assert.equal(empty, '', 'detached payload');
  try {
    await flattenedVerify(
      { protected: protectedHeader as string, payload: Buffer.from(payload).toString('base64url'), signature: signature as string },
      await importJWK(jwk, 'ES256'),
    );
    return true;
  } catch {
    return false;
  }
}

let n = 0;
async function appendEntries(count: number): Promise<void> {
  const batch = Array.from({ length: count }, () => sampleEntry(n++));
  for (let i = 0; i < batch.length; i += 1000) await t.hub.ledger.append(batch.slice(i, i + 1000));
}

const b = (s: string) => Buffer.from(s, 'base64');

test('an empty ledger has a signed head over the empty tree', async () => {
  const head = await sth();
  assert.equal(head.tree_size, 0);
  assert.equal(head.root_hash, createHash('sha256').digest('base64'));
  assert.ok(await auditorChecksSignature(head));
});

test('the head follows the log: a new one when it grew, the same one when it did not', async () => {
  await appendEntries(10);
  const first = await sth();
  assert.equal(first.tree_size, 10);
  assert.ok(await auditorChecksSignature(first));
  assert.deepEqual(await sth(), first, 'unchanged log, unchanged head');
  await appendEntries(27);
  const second = await sth();
  assert.equal(second.tree_size, 37);
  assert.ok(second.timestamp >= first.timestamp);
  assert.ok(await auditorChecksSignature(second));
  const forged = { ...second, tree_size: 36 };
  assert.equal(await auditorChecksSignature(forged), false, 'the signature covers the size');
});

test('an auditor checks two heads are consistent', async () => {
  const old = await sth();
  await appendEntries(58);
  const current = await sth();
  const { status, body, res } = await get<{ consistency: string[] }>(`/api/v1/ledger/consistency?first=${old.tree_size}&second=${current.tree_size}`);
  assert.equal(status, 200);
  assert.match(res.headers.get('cache-control') ?? '', /immutable/);
  assert.ok(verifyConsistency(old.tree_size, current.tree_size, b(old.root_hash), b(current.root_hash), body.consistency.map(b)));
  const same = await get<{ consistency: string[] }>(`/api/v1/ledger/consistency?first=${current.tree_size}&second=${current.tree_size}`);
  assert.deepEqual(same.body.consistency, []);
});

test('leaf hashes and inclusion proofs lead to the signed root', async () => {
  const head = await sth();
  const { body } = await get<{ leaves: Array<{ index: number; leaf_hash: string }> }>('/api/v1/ledger/leaves?start=40&end=44');
  assert.deepEqual(
    body.leaves.map((l) => l.index),
    [40, 41, 42, 43, 44],
    'end is inclusive, as in RFC 9162 get-entries',
  );
  for (const leaf of body.leaves) {
    const proof = await get<{ index: number; tree_size: number; audit_path: string[] }>(`/api/v1/ledger/proof?index=${leaf.index}&tree_size=${head.tree_size}`);
    assert.equal(proof.status, 200);
    assert.equal(proof.body.index, leaf.index);
    assert.equal(proof.body.tree_size, head.tree_size);
    assert.ok(verifyInclusion(leaf.index, head.tree_size, b(leaf.leaf_hash), proof.body.audit_path.map(b), b(head.root_hash)));
  }
  const leaves = await get<{ leaves: Array<{ index: number }> }>('/api/v1/ledger/leaves?start=90&end=5000');
  assert.equal(leaves.body.leaves.at(-1)?.index, head.tree_size - 1, 'stops at the end of the log');
});

test('at most 1000 leaf hashes per answer; the client asks again from where it stopped', async () => {
  await appendEntries(1100);
  const { body } = await get<{ leaves: Array<{ index: number; leaf_hash: string }> }>('/api/v1/ledger/leaves?start=0&end=1194');
  assert.equal(body.leaves.length, 1000);
  assert.equal(body.leaves[999]?.index, 999);
  for (const leaf of body.leaves) assert.equal(Object.keys(leaf).join(), 'index,leaf_hash', 'hashes only, never content');
});

test('bad parameters are 400 problems with a catalogue code, in the client language', async () => {
  const size = (await sth()).tree_size;
  const cases: Array<[string, string]> = [
    ['/api/v1/ledger/consistency', 'ledger_query_invalid'],
    ['/api/v1/ledger/consistency?first=1', 'ledger_query_invalid'],
    ['/api/v1/ledger/consistency?first=-1&second=5', 'ledger_query_invalid'],
    ['/api/v1/ledger/consistency?first=1e2&second=500', 'ledger_query_invalid'],
    ['/api/v1/ledger/consistency?first=01&second=5', 'ledger_query_invalid'],
    ['/api/v1/ledger/consistency?first=1&first=2&second=5', 'ledger_query_invalid'],
    ['/api/v1/ledger/consistency?first=99999999999999999999&second=5', 'ledger_query_invalid'],
    ['/api/v1/ledger/consistency?first=0&second=5', 'ledger_range_invalid'],
    ['/api/v1/ledger/consistency?first=6&second=5', 'ledger_range_invalid'],
    [`/api/v1/ledger/consistency?first=1&second=${size + 1}`, 'ledger_range_invalid'],
    ['/api/v1/ledger/leaves?start=abc&end=3', 'ledger_query_invalid'],
    ['/api/v1/ledger/leaves?start=5&end=4', 'ledger_range_invalid'],
    [`/api/v1/ledger/leaves?start=${size}&end=${size + 5}`, 'ledger_range_invalid'],
    ['/api/v1/ledger/proof?index=3', 'ledger_query_invalid'],
    ['/api/v1/ledger/proof?index=3&tree_size=3', 'ledger_range_invalid'],
    [`/api/v1/ledger/proof?index=0&tree_size=${size + 1}`, 'ledger_range_invalid'],
    ['/api/v1/ledger/proof?index=0&tree_size=0', 'ledger_range_invalid'],
  ];
  for (const [path, code] of cases) {
    const res = await fetch(`${t.url}${path}`);
    assert.equal(res.status, 400, path);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, path);
    const problem = (await res.json()) as { code: string; type: string; detail: string };
    assert.equal(problem.code, code, path);
    assert.equal(problem.type, `/problems/${code}`);
  }
  const zh = await get<{ title: string }>('/api/v1/ledger/proof?index=x&tree_size=1', { 'accept-language': 'zh-TW' });
  assert.equal(zh.body.title, '存取紀錄查詢參數有誤');
  assert.doesNotMatch(t.logs(), /"level":50/, 'nothing was logged as an error');
});

test('the key endpoint lists only tree-head keys and may be cached', async () => {
  const { body, res } = await get<{ keys: JWK[] }>('/api/v1/ledger/key');
  assert.equal(body.keys.length, 1);
  assert.equal(body.keys[0]?.alg, 'ES256');
  assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
  const hubKeys = await get<{ keys: JWK[] }>('/.well-known/jwks.json');
  assert.ok(
    hubKeys.body.keys.some((k) => k.kid === body.keys[0]?.kid),
    'also in the hub JWKS',
  );
});
