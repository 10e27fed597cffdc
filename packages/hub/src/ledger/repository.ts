// SQL for the ledger (Kysely, both engines). Rows in, plain values out; bigint columns come back as
// strings from PostgreSQL and are turned into numbers here, once.
import type { JWK } from 'jose';
import type { Db } from '../store/database.ts';
import type { StoredSubtree } from './compact-range.ts';
import { type Subtree, subtreeKey } from './proof-plan.ts';

/** The indexed part of a subject key: its first 48 bits, a safe integer. */
export function subjectTag(subjectKey: string): number {
  return Buffer.from(subjectKey.slice(0, 12), 'hex').readUIntBE(0, 6);
}

export interface EntryRow {
  index: number;
  time: string;
  subjectKey: string | null;
  leafHash: Buffer;
  leaf: Buffer | null;
}

export interface TreeHeadRow {
  treeSize: number;
  timestamp: number;
  rootHash: Buffer;
  signature: string;
  keyId: string;
}

const INSERT_CHUNK = 1000;

/** The number of entries and the time of the last one. */
export async function readTip(db: Db): Promise<{ size: number; lastTime: string | undefined }> {
  const last = await db.selectFrom('ledger_entries').select(['idx', 'created_at']).orderBy('idx', 'desc').limit(1).executeTakeFirst();
  return last ? { size: Number(last.idx) + 1, lastTime: last.created_at } : { size: 0, lastTime: undefined };
}

/** Stored hashes of the given perfect subtrees, keyed by subtreeKey; leaves come from the entries. */
export async function readSubtrees(db: Db, subtrees: readonly Subtree[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const leaves = subtrees.filter((s) => s.level === 0).map((s) => s.index);
  const nodes = subtrees.filter((s) => s.level > 0);
  const [leafRows, nodeRows] = await Promise.all([
    leaves.length === 0 ? [] : db.selectFrom('ledger_entries').select(['idx', 'leaf_hash']).where('idx', 'in', leaves).execute(),
    nodes.length === 0
      ? []
      : db
          .selectFrom('ledger_nodes')
          .select(['level', 'idx', 'hash'])
          .where((eb) =>
            eb(
              eb.refTuple('level', 'idx'),
              'in',
              nodes.map((s) => eb.tuple(s.level, s.index)),
            ),
          )
          .execute(),
  ]);
  for (const row of leafRows) found.set(subtreeKey({ level: 0, index: Number(row.idx) }), row.leaf_hash);
  for (const row of nodeRows) found.set(subtreeKey({ level: row.level, index: Number(row.idx) }), row.hash);
  return found;
}

export async function insertEntries(db: Db, rows: readonly EntryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const values = rows.slice(i, i + INSERT_CHUNK).map((r) => ({
      idx: r.index,
      created_at: r.time,
      subject_key: r.subjectKey,
      subject_tag: r.subjectKey ? subjectTag(r.subjectKey) : null,
      leaf_hash: r.leafHash,
      leaf: r.leaf,
    }));
    await db.insertInto('ledger_entries').values(values).execute();
  }
}

export async function insertNodes(db: Db, nodes: readonly StoredSubtree[]): Promise<void> {
  for (let i = 0; i < nodes.length; i += INSERT_CHUNK) {
    const values = nodes.slice(i, i + INSERT_CHUNK).map((n) => ({ level: n.level, idx: n.index, hash: n.hash }));
    await db.insertInto('ledger_nodes').values(values).execute();
  }
}

/** Leaf hashes of entries [start, end). */
export async function readLeafHashes(db: Db, start: number, end: number): Promise<Array<{ index: number; leafHash: Buffer }>> {
  const rows = await db.selectFrom('ledger_entries').select(['idx', 'leaf_hash']).where('idx', '>=', start).where('idx', '<', end).orderBy('idx').execute();
  return rows.map((r) => ({ index: Number(r.idx), leafHash: r.leaf_hash }));
}

/** One person's entries that still hold their content, oldest first. */
export async function readSubjectEntries(db: Db, subjectKey: string): Promise<Array<{ index: number; leaf: Buffer; leafHash: Buffer }>> {
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['idx', 'leaf', 'leaf_hash'])
    .where('subject_tag', '=', subjectTag(subjectKey))
    .where('subject_key', '=', subjectKey)
    .where('leaf', 'is not', null)
    .orderBy('idx')
    .execute();
  return rows.flatMap((r) => (r.leaf ? [{ index: Number(r.idx), leaf: r.leaf, leafHash: r.leaf_hash }] : []));
}

/** Entries in index order from `from`, for a full verification pass. */
export async function readEntryChunk(db: Db, from: number, limit: number): Promise<Array<EntryRow & { subjectTag: number | null }>> {
  const rows = await db.selectFrom('ledger_entries').selectAll().where('idx', '>=', from).orderBy('idx').limit(limit).execute();
  return rows.map((r) => ({
    index: Number(r.idx),
    time: r.created_at,
    subjectKey: r.subject_key,
    subjectTag: r.subject_tag === null ? null : Number(r.subject_tag),
    leafHash: r.leaf_hash,
    leaf: r.leaf,
  }));
}

/** Stored subtrees (level >= 1) completed by appending leaves [from, to). */
export async function readSubtreesCompletedIn(db: Db, from: number, to: number): Promise<StoredSubtree[]> {
  const maxLevel = to >= 2 ? Math.floor(Math.log2(to)) : 0;
  if (maxLevel < 1 || to <= from) return [];
  const rows = await db
    .selectFrom('ledger_nodes')
    .select(['level', 'idx', 'hash'])
    .where((eb) =>
      eb.or(
        Array.from({ length: maxLevel }, (_, i) => {
          const level = i + 1;
          const width = 2 ** level;
          // Subtree (level, idx) is completed by leaf (idx + 1) * width - 1.
          return eb.and([eb('level', '=', level), eb('idx', '>=', Math.ceil((from + 1) / width) - 1), eb('idx', '<', Math.floor(to / width))]);
        }),
      ),
    )
    .execute();
  return rows.map((r) => ({ level: r.level, index: Number(r.idx), hash: r.hash }));
}

export async function countNodes(db: Db): Promise<number> {
  const row = await db
    .selectFrom('ledger_nodes')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Removes content (leaf bytes and subject key) of entries created before `before`; keeps hashes. */
export async function removeContentBefore(db: Db, before: string, batch = 10_000): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = await db
      .selectFrom('ledger_entries')
      .select('idx')
      .where('created_at', '<', before)
      .where('leaf', 'is not', null)
      .orderBy('idx')
      .limit(batch)
      .execute();
    if (ids.length === 0) return removed;
    const result = await db
      .updateTable('ledger_entries')
      .set({ leaf: null, subject_key: null, subject_tag: null })
      .where(
        'idx',
        'in',
        ids.map((r) => Number(r.idx)),
      )
      .executeTakeFirst();
    removed += Number(result.numUpdatedRows);
  }
}

function treeHeadOf(row: { tree_size: number | string; timestamp: number | string; root_hash: Buffer; signature: string; key_id: string }): TreeHeadRow {
  return { treeSize: Number(row.tree_size), timestamp: Number(row.timestamp), rootHash: row.root_hash, signature: row.signature, keyId: row.key_id };
}

export async function readLatestTreeHead(db: Db): Promise<TreeHeadRow | undefined> {
  const row = await db.selectFrom('ledger_tree_heads').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
  return row ? treeHeadOf(row) : undefined;
}

export async function readTreeHeads(db: Db): Promise<TreeHeadRow[]> {
  const rows = await db.selectFrom('ledger_tree_heads').selectAll().orderBy('tree_size').execute();
  return rows.map(treeHeadOf);
}

export async function insertTreeHead(db: Db, head: TreeHeadRow): Promise<void> {
  await db
    .insertInto('ledger_tree_heads')
    .values({ tree_size: head.treeSize, timestamp: head.timestamp, root_hash: head.rootHash, signature: head.signature, key_id: head.keyId })
    .onConflict((oc) => oc.column('tree_size').doNothing())
    .execute();
}

/** Every key that has ever signed tree heads, retired ones included, so old heads stay checkable. */
export async function readTreeHeadKeys(db: Db): Promise<JWK[]> {
  const rows = await db.selectFrom('hub_keys').select('public_jwk').where('purpose', '=', 'ledger-sth').orderBy('seq').execute();
  return rows.map((r) => JSON.parse(r.public_jwk) as JWK);
}
