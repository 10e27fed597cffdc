// Appending a batch: check every entry, then inside one locked transaction read the tip and the
// right edge of the tree, give the entries the next indices, hash them, and store the entries and
// every perfect subtree they complete. Either the whole batch is in the log or none of it.
import type { Db, Engine } from '../store/database.ts';
import { lockLedger } from './append-lock.ts';
import { CompactRange, peaksOf, type StoredSubtree } from './compact-range.ts';
import { type CheckedEntry, stampEntry } from './entry.ts';
import { encodeLeaf } from './leaf.ts';
import { leafHash } from './merkle.ts';
import { MissingSubtreeError, subtreeKey } from './proof-plan.ts';
import { type EntryRow, insertEntries, insertNodes, readSubtrees, readTip } from './repository.ts';

export interface AppendedEntry {
  index: number;
  time: string;
  leafHash: Buffer;
}

/** Appends entries already checked, inside a write transaction the caller holds. */
export async function appendCheckedInTransaction(trx: Db, engine: Engine, checked: CheckedEntry[], now: Date): Promise<AppendedEntry[]> {
  if (checked.length === 0) return [];
  return appendChecked(trx, engine, checked, now);
}

async function appendChecked(trx: Db, engine: Engine, checked: CheckedEntry[], now: Date): Promise<AppendedEntry[]> {
  await lockLedger(trx, engine);
  const tip = await readTip(trx);
  const range = new CompactRange(tip.size, await readPeaks(trx, tip.size));
  // Times never go backwards along the log, even when hub clocks disagree a little.
  const stamp = now.toISOString();
  const time = tip.lastTime && tip.lastTime > stamp ? tip.lastTime : stamp;
  const rows: EntryRow[] = [];
  const nodes: StoredSubtree[] = [];
  checked.forEach((entry, i) => {
    const leaf = encodeLeaf(stampEntry(entry, tip.size + i, time));
    const hash = leafHash(leaf);
    rows.push({ index: tip.size + i, time, subjectKey: entry.subject, leafHash: hash, leaf });
    nodes.push(...range.append(hash));
  });
  await insertEntries(trx, rows);
  await insertNodes(trx, nodes);
  return rows.map((r) => ({ index: r.index, time: r.time, leafHash: r.leafHash }));
}

async function readPeaks(db: Db, size: number): Promise<StoredSubtree[]> {
  const peaks = peaksOf(size);
  const hashes = await readSubtrees(db, peaks);
  return peaks.map((peak) => {
    const hash = hashes.get(subtreeKey(peak));
    if (!hash) throw new MissingSubtreeError(peak);
    return { ...peak, hash };
  });
}
