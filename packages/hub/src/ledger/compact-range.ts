// The right edge of the tree while appending: the perfect subtrees covering [0, size), one per set
// bit of size. Appending a leaf merges equal-sized neighbours, and each merge is a newly completed
// perfect subtree to store. The root is the peaks folded from the right (RFC 9162 MTH).
import { emptyRoot, nodeHash } from './merkle.ts';
import { type Subtree, subtreesOf } from './proof-plan.ts';

export interface StoredSubtree extends Subtree {
  hash: Buffer;
}

/** The peaks of a tree of this size, largest first. */
export function peaksOf(size: number): Subtree[] {
  return size === 0 ? [] : subtreesOf({ start: 0, end: size });
}

export class CompactRange {
  private readonly peaks: StoredSubtree[];

  constructor(
    private treeSize: number,
    peaks: readonly StoredSubtree[],
  ) {
    this.peaks = [...peaks];
  }

  get size(): number {
    return this.treeSize;
  }

  /** Adds a leaf hash; returns the perfect subtrees of level >= 1 it completed, lowest first. */
  append(leafHash: Buffer): StoredSubtree[] {
    const completed: StoredSubtree[] = [];
    let top: StoredSubtree = { level: 0, index: this.treeSize, hash: leafHash };
    for (let left = this.peaks.at(-1); left && left.level === top.level; left = this.peaks.at(-1)) {
      this.peaks.pop();
      top = { level: top.level + 1, index: left.index / 2, hash: nodeHash(left.hash, top.hash) };
      completed.push(top);
    }
    this.peaks.push(top);
    this.treeSize += 1;
    return completed;
  }

  root(): Buffer {
    let hash: Buffer | undefined;
    for (let i = this.peaks.length - 1; i >= 0; i--) {
      const peak = (this.peaks[i] as StoredSubtree).hash;
      hash = hash ? nodeHash(peak, hash) : peak;
    }
    return hash ?? emptyRoot();
  }
}
