// Leaf bytes: the canonical JSON (canonical-json.ts) of the whole entry, UTF-8. Decoding insists the
// bytes are exactly canonical, so one entry has one encoding and one leaf hash.
import { canonicalBytes, type CanonicalValue } from './canonical-json.ts';
import { type LedgerEntry, parseStoredEntry } from './entry.ts';

export function encodeLeaf(entry: LedgerEntry): Buffer {
  const value: CanonicalValue = {
    v: entry.v,
    index: entry.index,
    time: entry.time,
    action: entry.action,
    actor: { kind: entry.actor.kind, id: entry.actor.id },
    subject: entry.subject,
    datasets: [...entry.datasets],
    consent: entry.consent,
    recipient: entry.recipient,
    purpose: entry.purpose,
    outcome: entry.outcome,
  };
  return canonicalBytes(value);
}

/** The entry in these leaf bytes, or undefined when they are not a canonical ledger entry. */
export function decodeLeaf(bytes: Buffer): LedgerEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const entry = parseStoredEntry(value);
  if (!entry || !encodeLeaf(entry).equals(bytes)) return undefined;
  return entry;
}
