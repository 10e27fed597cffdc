// Which subtree hashes a root or a proof needs, following RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and
// §2.1.4.1 (PROOF/SUBPROOF). Every range these definitions hash is either a perfect subtree (2^L
// leaves starting at a multiple of 2^L, stored once complete) or a right edge that splits into at
// most log2(n) perfect subtrees, so nothing is ever rehashed from the leaves.
import { isPowerOfTwo, nodeHash, splitPoint } from './merkle.ts';

/** A perfect subtree: the 2^level leaves starting at index * 2^level. Level 0 is a single leaf. */
export interface Subtree {
  level: number;
  index: number;
}

/** Leaves [start, end) whose Merkle Tree Hash a proof carries. */
export interface Range {
  start: number;
  end: number;
}

export function subtreeKey(s: Subtree): string {
  return `${s.level}:${s.index}`;
}

/** The first and last leaf index a subtree covers. */
export function subtreeSpan(s: Subtree): [number, number] {
  const width = 2 ** s.level;
  return [s.index * width, (s.index + 1) * width - 1];
}

/**
 * The perfect subtrees whose MTH, folded from the right, is MTH(D[start:end]): RFC 9162 splits at
 * the largest power of two k < n; the left part is perfect, the right part splits again.
 */
export function subtreesOf(range: Range): Subtree[] {
  const parts: Subtree[] = [];
  let { start } = range;
  while (start < range.end) {
    const n = range.end - start;
    const width = isPowerOfTwo(n) ? n : splitPoint(n);
    if (start % width !== 0) throw new Error(`range [${range.start}, ${range.end}) is not one RFC 9162 hashes`);
    parts.push({ level: Math.log2(width), index: start / width });
    start += width;
  }
  return parts;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[0:n]): the ranges of the audit path, nearest the leaf first. */
export function inclusionRanges(index: number, size: number): Range[] {
  if (!(index >= 0 && index < size)) throw new RangeError('index must be inside the tree');
  const topDown: Range[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index - start < k) {
      topDown.push({ start: start + k, end });
      end = start + k;
    } else {
      topDown.push({ start, end: start + k });
      start += k;
    }
  }
  return topDown.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true), deepest range first. */
export function consistencyRanges(first: number, second: number): Range[] {
  if (!(first >= 1 && first <= second)) throw new RangeError('need 1 <= first <= second');
  const topDown: Range[] = [];
  let start = 0;
  let end = second;
  let m = first;
  let wholeTreeKnown = true; // SUBPROOF's b: the old tree is a subtree of what the verifier has
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      topDown.push({ start: start + k, end });
      end = start + k;
    } else {
      topDown.push({ start, end: start + k });
      m -= k;
      start += k;
      wholeTreeKnown = false;
    }
  }
  if (!wholeTreeKnown) topDown.push({ start, end });
  return topDown.reverse();
}

/** Every perfect subtree the given ranges need, each once. */
export function subtreesNeeded(ranges: readonly Range[]): Subtree[] {
  const byKey = new Map<string, Subtree>();
  for (const range of ranges) for (const s of subtreesOf(range)) byKey.set(subtreeKey(s), s);
  return [...byKey.values()];
}

/** MTH of a range from its perfect subtrees' stored hashes. */
export function rangeHash(range: Range, hashes: ReadonlyMap<string, Buffer>): Buffer {
  const parts = subtreesOf(range);
  let hash: Buffer | undefined;
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = hashes.get(subtreeKey(parts[i] as Subtree));
    if (!part) throw new MissingSubtreeError(parts[i] as Subtree);
    hash = hash ? nodeHash(part, hash) : part;
  }
  if (!hash) throw new RangeError('empty range');
  return hash;
}

export class MissingSubtreeError extends Error {
  override readonly name = 'MissingSubtreeError';
  constructor(readonly subtree: Subtree) {
    const [first, last] = subtreeSpan(subtree);
    super(`the stored hash of entries ${first}..${last} (level ${subtree.level}) is missing`);
  }
}
