// Retention: after the retention period an entry's content (leaf bytes and subject key) is removed.
// Its leaf hash stays, so every root, tree head and proof keeps verifying; only the readable
// entry is gone, and it no longer appears in anyone's history.
import type { Db } from '../store/database.ts';
import { removeContentBefore } from './repository.ts';

export const DEFAULT_RETENTION_YEARS = 2;

/** The moment before which entries lose their content: `years` calendar years before `now`. */
export function retentionCutoff(now: Date, years = DEFAULT_RETENTION_YEARS): Date {
  const cutoff = new Date(now.getTime());
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - years);
  return cutoff;
}

/** Removes the content of entries created before `olderThan`; returns how many were removed. */
export async function applyRetention(db: Db, olderThan: Date): Promise<number> {
  return removeContentBefore(db, olderThan.toISOString());
}
