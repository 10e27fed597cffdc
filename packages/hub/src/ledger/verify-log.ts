// A full audit of the stored log: every leaf's bytes against its leaf hash, the whole tree
// recomputed from the leaf hashes against every stored subtree hash, and every signed tree head's
// root and signature. Streams the entries in chunks, holding only O(log n) hashes at a time.
// Problems name the entries concerned; a problem already explained by a lower one (e.g. the parent
// of an altered leaf hash) is not reported again.
import type { JWK } from 'jose';
import type { Db } from '../store/database.ts';
import { CompactRange, type StoredSubtree } from './compact-range.ts';
import { decodeLeaf } from './leaf.ts';
import { emptyRoot, leafHash } from './merkle.ts';
import { subtreeKey, subtreeSpan } from './proof-plan.ts';
import { countNodes, readEntryChunk, readSubtreesCompletedIn, readTreeHeadKeys, readTreeHeads, subjectTag, type TreeHeadRow } from './repository.ts';
import { verifyTreeHead } from './tree-head.ts';

export type LogProblemKind =
  | 'entry_missing'
  | 'leaf_hash_mismatch'
  | 'leaf_not_canonical'
  | 'leaf_index_mismatch'
  | 'subject_key_mismatch'
  | 'subtree_missing'
  | 'subtree_mismatch'
  | 'subtree_extra'
  | 'tree_head_root_mismatch'
  | 'tree_head_signature_invalid'
  | 'tree_head_beyond_log'
  | 'tree_head_unchecked';

export interface LogProblem {
  kind: LogProblemKind;
  /** First and last entry index concerned, when the problem is about entries. */
  first?: number;
  last?: number;
  treeSize?: number;
  message: string;
}

export interface LogReport {
  entries: number;
  /** Entries whose content was removed by retention (leaf hash only). */
  retained: number;
  subtreesChecked: number;
  treeHeadsChecked: number;
  latestTreeSize: number | undefined;
  problems: LogProblem[];
  /** More problems than MAX_PROBLEMS were found; the rest were counted, not listed. */
  problemsNotListed: number;
  firstTamperedIndex: number | undefined;
}

const CHUNK = 4096;
const MAX_PROBLEMS = 1000;

export async function verifyLog(db: Db): Promise<LogReport> {
  const report: LogReport = {
    entries: 0,
    retained: 0,
    subtreesChecked: 0,
    treeHeadsChecked: 0,
    latestTreeSize: undefined,
    problems: [],
    problemsNotListed: 0,
    firstTamperedIndex: undefined,
  };
  const named: number[] = []; // sorted entry indices already named in a problem
  const add = (problem: LogProblem) => {
    if (problem.first !== undefined) {
      insertSorted(named, problem.first);
      report.firstTamperedIndex = Math.min(report.firstTamperedIndex ?? problem.first, problem.first);
    }
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(problem);
    else report.problemsNotListed += 1;
  };
  const explained = (first: number, last: number) => {
    const i = lowerBound(named, first);
    return i < named.length && (named[i] as number) <= last;
  };

  const heads = await readTreeHeads(db);
  report.latestTreeSize = heads.at(-1)?.treeSize;
  await checkSignatures(heads, await readTreeHeadKeys(db), add);
  let nextHead = 0;
  const checkHeadsAt = (size: number, root: () => Buffer) => {
    for (; nextHead < heads.length && (heads[nextHead] as TreeHeadRow).treeSize === size; nextHead++) {
      const head = heads[nextHead] as TreeHeadRow;
      report.treeHeadsChecked += 1;
      if (!root().equals(head.rootHash))
        add({ kind: 'tree_head_root_mismatch', treeSize: size, message: `the signed tree head for ${size} entries no longer matches the log's root` });
    }
  };
  checkHeadsAt(0, emptyRoot);

  const tree = new CompactRange(0, []);
  let expected = 0;
  let complete = true; // false once entries are missing: the tree cannot be recomputed past a gap
  let computed: StoredSubtree[] = [];
  let windowStart = 0;
  const compareWindow = async (end: number) => {
    if (computed.length > 0) await compareSubtrees(db, windowStart, end, computed, report, add, explained);
    computed = [];
    windowStart = end;
  };

  for (;;) {
    const rows = await readEntryChunk(db, expected, CHUNK);
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.index !== expected) {
        add({ kind: 'entry_missing', first: expected, last: row.index - 1, message: `entries ${span(expected, row.index - 1)} are missing` });
        if (complete) await compareWindow(expected);
        complete = false;
        expected = row.index;
      }
      report.entries += 1;
      checkLeaf(row, add);
      if (!row.leaf) report.retained += 1;
      if (complete) {
        computed.push(...tree.append(row.leafHash));
        checkHeadsAt(tree.size, () => tree.root());
      }
      expected += 1;
    }
    if (complete) await compareWindow(expected);
  }

  for (; nextHead < heads.length; nextHead++) {
    const head = heads[nextHead] as TreeHeadRow;
    if (head.treeSize > expected)
      add({
        kind: 'tree_head_beyond_log',
        treeSize: head.treeSize,
        message: `a signed tree head covers ${head.treeSize} entries but the log ends at ${expected}: entries were removed`,
      });
    else
      add({
        kind: 'tree_head_unchecked',
        treeSize: head.treeSize,
        message: `the tree head for ${head.treeSize} entries could not be checked because entries are missing`,
      });
  }
  if (complete) {
    const stored = await countNodes(db);
    const wanted = expected - popcount(expected);
    if (stored > wanted) add({ kind: 'subtree_extra', message: `${stored - wanted} stored subtree hash(es) do not belong to the log` });
  }
  // Entries in index order first, then tree heads by size.
  report.problems.sort((a, b) => (a.first ?? Infinity) - (b.first ?? Infinity) || (a.treeSize ?? 0) - (b.treeSize ?? 0));
  return report;
}

function checkLeaf(
  row: { index: number; leaf: Buffer | null; leafHash: Buffer; subjectKey: string | null; subjectTag: number | null },
  add: (p: LogProblem) => void,
): void {
  const i = row.index;
  if (row.leaf) {
    if (!leafHash(row.leaf).equals(row.leafHash)) {
      add({ kind: 'leaf_hash_mismatch', first: i, last: i, message: `entry ${i}: its content does not hash to its stored leaf hash` });
      return;
    }
    const entry = decodeLeaf(row.leaf);
    if (!entry) add({ kind: 'leaf_not_canonical', first: i, last: i, message: `entry ${i}: its content is not a canonical ledger entry` });
    else if (entry.index !== i) add({ kind: 'leaf_index_mismatch', first: i, last: i, message: `entry ${i}: its content says it is entry ${entry.index}` });
    else if (entry.subject !== row.subjectKey || row.subjectTag !== (entry.subject ? subjectTag(entry.subject) : null)) {
      add({ kind: 'subject_key_mismatch', first: i, last: i, message: `entry ${i}: its subject key columns differ from its content` });
    }
  } else if (row.subjectKey !== null || row.subjectTag !== null) {
    add({ kind: 'subject_key_mismatch', first: i, last: i, message: `entry ${i}: content removed by retention but a subject key remains` });
  }
}

async function compareSubtrees(
  db: Db,
  from: number,
  to: number,
  computed: readonly StoredSubtree[],
  report: LogReport,
  add: (p: LogProblem) => void,
  explained: (first: number, last: number) => boolean,
): Promise<void> {
  const stored = new Map((await readSubtreesCompletedIn(db, from, to)).map((s) => [subtreeKey(s), s.hash]));
  for (const node of computed) {
    report.subtreesChecked += 1;
    const [first, last] = subtreeSpan(node);
    const hash = stored.get(subtreeKey(node));
    if (hash?.equals(node.hash)) continue;
    if (explained(first, last)) continue;
    if (!hash) add({ kind: 'subtree_missing', first, last, message: `the stored hash over entries ${span(first, last)} is missing` });
    else
      add({
        kind: 'subtree_mismatch',
        first,
        last,
        message: `the stored hash over entries ${span(first, last)} does not match them: one of these entries (or that hash) was altered`,
      });
  }
}

async function checkSignatures(heads: readonly TreeHeadRow[], keys: readonly JWK[], add: (p: LogProblem) => void): Promise<void> {
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  for (const head of heads) {
    const key = byKid.get(head.keyId);
    if (!key || !(await verifyTreeHead(head, key))) {
      add({
        kind: 'tree_head_signature_invalid',
        treeSize: head.treeSize,
        message: `the tree head for ${head.treeSize} entries is not validly signed by a published ledger key`,
      });
    }
  }
}

function span(first: number, last: number): string {
  return first === last ? String(first) : `${first}..${last}`;
}

function popcount(n: number): number {
  let count = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) count += x % 2;
  return count;
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 0, value);
}
