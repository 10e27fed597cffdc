// Checks one exported history entry offline, the way an outside party would: its leaf bytes are a
// canonical entry with that index, they hash to the leaf hash, the tree head is signed by the key,
// and the audit path leads from the leaf hash to the signed root (RFC 9162 §2.1.3.2).
import type { JWK } from 'jose';
import { z } from 'zod';
import { decodeLeaf } from './leaf.ts';
import { leafHash } from './merkle.ts';
import { treeHeadFromView, verifyTreeHead } from './tree-head.ts';
import { verifyInclusion } from './verify-proof.ts';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const hash = base64.refine((s) => Buffer.from(s, 'base64').length === 32, 'must be a base64 SHA-256 hash');
const size = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const historyEntrySchema = z.object({
  index: size,
  leaf: base64,
  leaf_hash: hash,
  audit_path: z.array(hash).max(64),
  tree_head: z.object({ tree_size: size, timestamp: size, root_hash: hash, signature: z.string().max(1000), key_id: z.string().max(200) }),
  key: z.looseObject({ kty: z.string(), kid: z.string() }),
});
export type ExportedHistoryEntry = z.infer<typeof historyEntrySchema>;
/** A parsed file's entry, or a HistoryEntry straight from historyFor. */
export type CheckableEntry = Omit<ExportedHistoryEntry, 'key'> & { key: JWK | ExportedHistoryEntry['key'] };

/** A file may hold one entry, an array of entries, or a JSON export ({"entries": [...]}). */
export const proofFileSchema = z.union([historyEntrySchema, z.array(historyEntrySchema).min(1), z.object({ entries: z.array(historyEntrySchema).min(1) })]);

export function entriesOfProofFile(value: z.infer<typeof proofFileSchema>): ExportedHistoryEntry[] {
  if (Array.isArray(value)) return value;
  return 'entries' in value ? value.entries : [value];
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Runs every check in order; later checks still run when an earlier one fails, so all are reported. */
export async function checkHistoryEntry(item: CheckableEntry, trustedKeys?: readonly JWK[]): Promise<Check[]> {
  const checks: Check[] = [];
  const leaf = Buffer.from(item.leaf, 'base64');
  const entry = decodeLeaf(leaf);
  checks.push(
    !entry
      ? { name: 'entry', ok: false, detail: 'the leaf bytes are not a canonical ledger entry' }
      : entry.index !== item.index
        ? { name: 'entry', ok: false, detail: `the leaf says it is entry ${entry.index}, not ${item.index}` }
        : { name: 'entry', ok: true, detail: `entry ${entry.index}: ${entry.action} at ${entry.time}` },
  );
  const computed = leafHash(leaf);
  const claimed = Buffer.from(item.leaf_hash, 'base64');
  checks.push(
    computed.equals(claimed)
      ? { name: 'leaf hash', ok: true, detail: 'SHA-256(0x00 || leaf) equals leaf_hash' }
      : { name: 'leaf hash', ok: false, detail: 'SHA-256(0x00 || leaf) differs from leaf_hash' },
  );
  const head = treeHeadFromView(item.tree_head);
  const key = trustedKeys ? trustedKeys.find((k) => k.kid === head.keyId) : (item.key as JWK);
  const signed = key ? await verifyTreeHead(head, key) : false;
  checks.push(
    signed
      ? {
          name: 'tree head signature',
          ok: true,
          detail: `ES256 by key ${head.keyId}${trustedKeys ? ' (from the trusted key file)' : ' (the key in the file)'}`,
        }
      : { name: 'tree head signature', ok: false, detail: key ? `not a valid signature by key ${head.keyId}` : `no trusted key has id ${head.keyId}` },
  );
  const included = verifyInclusion(
    item.index,
    head.treeSize,
    computed,
    item.audit_path.map((p) => Buffer.from(p, 'base64')),
    head.rootHash,
  );
  checks.push(
    included
      ? { name: 'inclusion proof', ok: true, detail: `entry ${item.index} is in the tree of ${head.treeSize} entries with the signed root` }
      : { name: 'inclusion proof', ok: false, detail: `the audit path does not lead to the signed root of ${head.treeSize} entries` },
  );
  return checks;
}
