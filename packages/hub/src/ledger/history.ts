// A person's usage history: their entries, each with its leaf bytes, an inclusion proof and the
// signed tree head and key it is proven against, so every item can be checked on its own, offline
// (npm run ledger -- verify-proof FILE). Exported as JSON or as CSV for a spreadsheet.
import type { JWK } from 'jose';
import { type LedgerEntry, SUBJECT_KEY } from './entry.ts';
import { decodeLeaf } from './leaf.ts';
import { type SignedTreeHead, type TreeHeadView, treeHeadView } from './tree-head.ts';

export interface HistoryEntry {
  index: number;
  entry: LedgerEntry;
  /** The canonical leaf bytes, standard base64. */
  leaf: string;
  leaf_hash: string;
  audit_path: string[];
  tree_head: TreeHeadView;
  /** The public key that signed tree_head (compare it with GET /api/v1/ledger/key). */
  key: JWK;
}

export interface HistorySource {
  entriesOf(subjectKey: string): Promise<Array<{ index: number; leaf: Buffer; leafHash: Buffer }>>;
  currentTreeHead(): Promise<SignedTreeHead>;
  inclusionProof(index: number, treeSize: number): Promise<Buffer[]>;
  publicKeys(): Promise<JWK[]>;
}

export async function historyFor(source: HistorySource, subjectKey: string): Promise<HistoryEntry[]> {
  if (!SUBJECT_KEY.test(subjectKey)) throw new TypeError('a subject key is 64 lower-case hex digits');
  const rows = await source.entriesOf(subjectKey);
  if (rows.length === 0) return [];
  // Read after the entries, so the head covers every one of them.
  const head = await source.currentTreeHead();
  const key = (await source.publicKeys()).find((k) => k.kid === head.keyId);
  if (!key) throw new Error(`tree head key ${head.keyId} is not published`);
  const view = treeHeadView(head);
  const history: HistoryEntry[] = [];
  for (const row of rows) {
    const entry = decodeLeaf(row.leaf);
    if (!entry || entry.index !== row.index) throw new Error(`ledger entry ${row.index} is not a canonical entry`);
    const path = await source.inclusionProof(row.index, head.treeSize);
    history.push({
      index: row.index,
      entry,
      leaf: row.leaf.toString('base64'),
      leaf_hash: row.leafHash.toString('base64'),
      audit_path: path.map((p) => p.toString('base64')),
      tree_head: view,
      key,
    });
  }
  return history;
}

export function historyToJson(history: readonly HistoryEntry[]): string {
  return `${JSON.stringify({ entries: history }, null, 2)}\n`;
}

const CSV_COLUMNS = [
  'index',
  'time',
  'action',
  'actor_kind',
  'actor_id',
  'datasets',
  'consent',
  'recipient',
  'purpose',
  'outcome',
  'leaf_hash',
  'tree_size',
] as const;

/** RFC 4180 CSV (CRLF, quoted where needed), UTF-8 with a BOM so spreadsheets read Chinese text. */
export function historyToCsv(history: readonly HistoryEntry[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const h of history) {
    const e = h.entry;
    const cells = [
      String(h.index),
      e.time,
      e.action,
      e.actor.kind,
      e.actor.id,
      e.datasets.join(' '),
      e.consent ?? '',
      e.recipient ?? '',
      e.purpose ?? '',
      e.outcome ?? '',
      h.leaf_hash,
      String(h.tree_head.tree_size),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function csvCell(value: string): string {
  // A cell starting like a formula is prefixed so a spreadsheet shows it as text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
