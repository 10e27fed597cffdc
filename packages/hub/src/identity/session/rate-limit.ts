// Fixed-window attempt counting in the database, so every hub process sees the same count.
// One atomic upsert per attempt: concurrent attempts cannot both read the old count.
import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';

export interface RateLimit {
  max: number;
  windowMs: number;
}

/** Counts one attempt for the key; true while within the limit. */
export async function takeAttempt(db: Db, key: string, limit: RateLimit, now = new Date()): Promise<boolean> {
  const stamp = now.toISOString();
  const cutoff = new Date(now.getTime() - limit.windowMs).toISOString();
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: stamp, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when rate_limits.window_start <= ${cutoff} then 1 else rate_limits.count + 1 end`,
        window_start: sql<string>`case when rate_limits.window_start <= ${cutoff} then ${stamp} else rate_limits.window_start end`,
      }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count) <= limit.max;
}

/** True while the key has used up its attempts in the current window (counts nothing). */
export async function isLimited(db: Db, key: string, limit: RateLimit, now = new Date()): Promise<boolean> {
  const row = await db.selectFrom('rate_limits').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row || row.window_start <= new Date(now.getTime() - limit.windowMs).toISOString()) return false;
  return Number(row.count) >= limit.max;
}

/** Drops counters whose window ended long ago (every limit's window is shorter than a day). */
export async function purgeStaleAttempts(db: Db, now = new Date(), keepMs = 24 * 60 * 60 * 1000): Promise<number> {
  const result = await db
    .deleteFrom('rate_limits')
    .where('window_start', '<', new Date(now.getTime() - keepMs).toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
