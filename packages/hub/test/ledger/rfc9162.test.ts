// Roots, inclusion proofs and consistency proofs from the ledger's stored subtree hashes, checked
// against an independent RFC 9162 implementation written here from the RFC's recursive definitions
// (§2.1.1 MTH, §2.1.3.1 PATH, §2.1.4.1 PROOF) and verification algorithms (§2.1.3.2, §2.1.4.2).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify-proof.ts';
import { openTestLedger, sampleEntry, type TestLedger } from './fixtures/open-ledger.ts';

// ---- the reference, from RFC 9162 alone -------------------------------------------------------
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const ZERO = Buffer.from([0]);
const ONE = Buffer.from([1]);

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

/** §2.1.1: MTH({}) = SHA-256(), MTH({d0}) = SHA-256(0x00 || d0), MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])). */
function MTH(D: Buffer[]): Buffer {
  if (D.length === 0) return sha256();
  if (D.length === 1) return sha256(ZERO, D[0] as Buffer);
  const k = largestPowerOfTwoBelow(D.length);
  return sha256(ONE, MTH(D.slice(0, k)), MTH(D.slice(k)));
}

/** §2.1.3.1: PATH(m, D[n]). */
function PATH(m: number, D: Buffer[]): Buffer[] {
  if (D.length === 1) return [];
  const k = largestPowerOfTwoBelow(D.length);
  return m < k ? [...PATH(m, D.slice(0, k)), MTH(D.slice(k))] : [...PATH(m - k, D.slice(k)), MTH(D.slice(0, k))];
}

/** §2.1.4.1: PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
function SUBPROOF(m: number, D: Buffer[], b: boolean): Buffer[] {
  if (m === D.length) return b ? [] : [MTH(D)];
  const k = largestPowerOfTwoBelow(D.length);
  return m <= k ? [...SUBPROOF(m, D.slice(0, k), b), MTH(D.slice(k))] : [...SUBPROOF(m - k, D.slice(k), false), MTH(D.slice(0, k))];
}
const PROOF = (m: number, D: Buffer[]) => SUBPROOF(m, D, true);

/** §2.1.3.2, with BigInt bit operations. */
function refVerifyInclusion(leafIndex: number, treeSize: number, hash: Buffer, path: Buffer[], root: Buffer): boolean {
  if (leafIndex >= treeSize) return false;
  let fn = BigInt(leafIndex);
  let sn = BigInt(treeSize - 1);
  let r = hash;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = sha256(ONE, p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = sha256(ONE, r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

/** §2.1.4.2, with BigInt bit operations. */
function refVerifyConsistency(first: number, second: number, firstHash: Buffer, secondHash: Buffer, proof: Buffer[]): boolean {
  if (first === second) return proof.length === 0 && firstHash.equals(secondHash);
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstHash, ...proof] : proof;
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0] as Buffer;
  let sr = path[0] as Buffer;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = sha256(ONE, c, fr);
      sr = sha256(ONE, c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = sha256(ONE, sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0n;
}

// ---- the ledger under test ---------------------------------------------------------------------
let t: TestLedger;
let D: Buffer[];

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

async function leafBytes(): Promise<Buffer[]> {
  const rows = await t.db.selectFrom('ledger_entries').select(['idx', 'leaf']).orderBy('idx').execute();
  return rows.map((r, i) => {
    assert.equal(Number(r.idx), i, 'indices are gap-free');
    assert.ok(r.leaf);
    return r.leaf;
  });
}

before(async () => {
  t = await openTestLedger();
  // Batches of varied sizes, so batch boundaries fall everywhere in the tree.
  let n = 0;
  for (const size of [1, 1, 2, 3, 1, 5, 8, 13, 7, 29]) {
    await t.ledger.append(Array.from({ length: size }, () => sampleEntry(n++)));
  }
  assert.equal(n, 70);
  D = await leafBytes();
});
after(async () => t.close());

test('the empty tree has root SHA-256 of nothing', async () => {
  assert.deepEqual(await t.ledger.rootAt(0), MTH([]));
});

test('roots for every size 1..70 equal MTH', async () => {
  for (let n = 1; n <= 70; n++) assert.deepEqual(await t.ledger.rootAt(n), MTH(D.slice(0, n)), `size ${n}`);
});

test('inclusion proofs for every leaf of every size 1..70 equal PATH and verify both ways', async () => {
  for (let n = 1; n <= 70; n++) {
    const tree = D.slice(0, n);
    const root = MTH(tree);
    for (let m = 0; m < n; m++) {
      const proof = await t.ledger.inclusionProof(m, n);
      assert.deepEqual(proof, PATH(m, tree), `PATH(${m}, ${n})`);
      const hash = sha256(ZERO, D[m] as Buffer);
      assert.ok(refVerifyInclusion(m, n, hash, proof, root), `reference verifies ${m} in ${n}`);
      assert.ok(verifyInclusion(m, n, hash, proof, root), `ledger verifier accepts ${m} in ${n}`);
    }
  }
});

test('consistency proofs for every pair 1 <= m <= n <= 70 equal PROOF and verify both ways', async () => {
  for (let n = 1; n <= 70; n++) {
    const second = MTH(D.slice(0, n));
    for (let m = 1; m <= n; m++) {
      const first = MTH(D.slice(0, m));
      const proof = await t.ledger.consistencyProof(m, n);
      assert.deepEqual(proof, PROOF(m, D.slice(0, n)), `PROOF(${m}, ${n})`);
      assert.ok(refVerifyConsistency(m, n, first, second, proof), `reference verifies ${m} -> ${n}`);
      assert.ok(verifyConsistency(m, n, first, second, proof), `ledger verifier accepts ${m} -> ${n}`);
    }
  }
});

test('random pairs on a larger tree (1,037 entries) agree with the reference', async () => {
  let n = 70;
  for (const size of [130, 1, 256, 500, 80]) await t.ledger.append(Array.from({ length: size }, () => sampleEntry(n++)));
  const all = await leafBytes();
  assert.equal(all.length, 1037);
  const next = random(9162);
  for (let i = 0; i < 60; i++) {
    const second: number = 1 + Math.floor(next() * all.length);
    const first = 1 + Math.floor(next() * second);
    const index = Math.floor(next() * second);
    const tree = all.slice(0, second);
    const root = MTH(tree);
    assert.deepEqual(await t.ledger.rootAt(second), root);
    const consistency = await t.ledger.consistencyProof(first, second);
    assert.deepEqual(consistency, PROOF(first, tree), `PROOF(${first}, ${second})`);
    assert.ok(refVerifyConsistency(first, second, MTH(all.slice(0, first)), root, consistency));
    const inclusion = await t.ledger.inclusionProof(index, second);
    assert.deepEqual(inclusion, PATH(index, tree), `PATH(${index}, ${second})`);
    assert.ok(refVerifyInclusion(index, second, sha256(ZERO, all[index] as Buffer), inclusion, root));
  }
});

test('the verifiers refuse wrong proofs, roots, indices and sizes', async () => {
  const n = 70;
  const tree = D.slice(0, n);
  const root = MTH(tree);
  const proof = await t.ledger.inclusionProof(37, n);
  const hash = sha256(ZERO, D[37] as Buffer);
  assert.ok(verifyInclusion(37, n, hash, proof, root));
  assert.ok(!verifyInclusion(36, n, hash, proof, root), 'wrong index');
  assert.ok(!verifyInclusion(37, 64, hash, proof, root), 'wrong size (another tree shape)');
  assert.ok(!verifyInclusion(37, n, sha256(ZERO, D[36] as Buffer), proof, root), 'wrong leaf');
  assert.ok(!verifyInclusion(37, n, hash, proof.slice(1), root), 'short path');
  assert.ok(!verifyInclusion(37, n, hash, [...proof, root], root), 'long path');
  const flipped = proof.map((p, i) => (i === 2 ? Buffer.from(p.map((b, j) => (j === 0 ? b ^ 1 : b))) : p));
  assert.ok(!verifyInclusion(37, n, hash, flipped, root), 'flipped bit');
  assert.ok(!verifyInclusion(70, n, hash, proof, root), 'index outside');

  const first = MTH(D.slice(0, 23));
  const consistency = await t.ledger.consistencyProof(23, n);
  assert.ok(verifyConsistency(23, n, first, root, consistency));
  assert.ok(!verifyConsistency(23, n, MTH(D.slice(0, 22)), root, consistency), 'wrong old root');
  assert.ok(!verifyConsistency(22, n, first, root, consistency), 'wrong old size');
  assert.ok(!verifyConsistency(23, n, first, MTH(D.slice(0, 69)), consistency), 'wrong new root');
  assert.ok(!verifyConsistency(23, n, first, root, []), 'empty proof');
  assert.ok(!verifyConsistency(23, n, first, root, consistency.slice(0, -1)), 'short proof');
  assert.ok(verifyConsistency(n, n, root, root, []), 'same size, same root');
  assert.ok(!verifyConsistency(n, n, root, first, []), 'same size, different root');
});

test('sizes and indices outside the log are refused', async () => {
  const size = await t.ledger.size();
  await assert.rejects(t.ledger.rootAt(size + 1), { name: 'LedgerRangeError' });
  await assert.rejects(t.ledger.inclusionProof(5, 5), { name: 'LedgerRangeError' });
  await assert.rejects(t.ledger.inclusionProof(0, size + 1), { name: 'LedgerRangeError' });
  await assert.rejects(t.ledger.consistencyProof(0, 5), { name: 'LedgerRangeError' });
  await assert.rejects(t.ledger.consistencyProof(6, 5), { name: 'LedgerRangeError' });
});
