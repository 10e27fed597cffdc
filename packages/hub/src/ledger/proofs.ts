// Roots and proofs for any tree size up to the current one, read from O(log n) stored subtree
// hashes (two queries) and combined in memory; see proof-plan.ts for which ones.
import type { Db } from '../store/database.ts';
import { emptyRoot } from './merkle.ts';
import { consistencyRanges, inclusionRanges, type Range, rangeHash, subtreesNeeded } from './proof-plan.ts';
import { readSubtrees } from './repository.ts';

async function hashRanges(db: Db, ranges: readonly Range[]): Promise<Buffer[]> {
  const hashes = await readSubtrees(db, subtreesNeeded(ranges));
  return ranges.map((range) => rangeHash(range, hashes));
}

/** MTH(D[0:size]). The caller makes sure size <= the ledger's size. */
export async function rootAt(db: Db, size: number): Promise<Buffer> {
  if (size === 0) return emptyRoot();
  const [root] = await hashRanges(db, [{ start: 0, end: size }]);
  return root as Buffer;
}

/** RFC 9162 inclusion proof (audit path) of entry `index` in the tree of `treeSize` entries. */
export async function inclusionProof(db: Db, index: number, treeSize: number): Promise<Buffer[]> {
  return hashRanges(db, inclusionRanges(index, treeSize));
}

/** RFC 9162 consistency proof from the tree of `first` entries to the tree of `second`. */
export async function consistencyProof(db: Db, first: number, second: number): Promise<Buffer[]> {
  return hashRanges(db, consistencyRanges(first, second));
}
