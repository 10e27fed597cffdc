// The rules of being logged in: one person per session, a first use needs two different methods,
// and a data set needs a session whose best level is at least as strong as the data set asks for.
import type { Db } from '../store/database.ts';
import type { SessionState, Verification } from './session/session-store.ts';
import type { VerifiedIdentity } from './types.ts';

export type RecordOutcome = { ok: true; complete: boolean } | { ok: false; code: 'different_person' };

/** Adds a verification to the session; complete once the person may act (known, or two methods). */
export async function recordVerification(
  db: Db,
  state: SessionState,
  identity: VerifiedIdentity,
  subjectKey: string,
  now = new Date(),
): Promise<RecordOutcome> {
  if (state.nationalId && state.nationalId !== identity.nationalId) return { ok: false, code: 'different_person' };
  state.nationalId = identity.nationalId;
  // The first name a method gave stays (a mobile ID gives it in Chinese; a certificate may romanise it).
  if (identity.name && !state.displayName) state.displayName = identity.name;
  const verification: Verification = { method: identity.method, level: identity.level, at: now.toISOString(), reference: identity.reference };
  state.verifications = [...state.verifications.filter((v) => v.method !== identity.method), verification];
  const known = await db.selectFrom('known_subjects').select('subject_key').where('subject_key', '=', subjectKey).executeTakeFirst();
  if (known) return { ok: true, complete: true };
  if (distinctMethods(state) < 2) return { ok: true, complete: false };
  await db
    .insertInto('known_subjects')
    .values({ subject_key: subjectKey, first_seen_at: now.toISOString() })
    .onConflict((oc) => oc.column('subject_key').doNothing())
    .execute();
  return { ok: true, complete: true };
}

export function distinctMethods(state: SessionState): number {
  return new Set(state.verifications.map((v) => v.method)).size;
}

/** The best (numerically lowest) level verified in this session. */
export function bestLevel(state: SessionState): number | undefined {
  return state.verifications.length === 0 ? undefined : Math.min(...state.verifications.map((v) => v.level));
}

/** The level a set of data sets needs: the strictest among them. */
export function requiredLevel(levels: number[]): number {
  return levels.length === 0 ? 4 : Math.min(...levels);
}

export function levelSuffices(state: SessionState, required: number): boolean {
  const best = bestLevel(state);
  return best !== undefined && best <= required;
}
