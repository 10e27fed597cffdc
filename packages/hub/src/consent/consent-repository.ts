// Consents in the database: for one use, revocable until used, expiring. Consuming is one
// conditional UPDATE, so of two concurrent uses exactly one wins, on SQLite and PostgreSQL alike.
// Every function takes the database or an open transaction, so callers can commit a consent
// together with its ledger entries (see RetrievalService).
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database.ts';
import type { ConsentTable } from '../store/schema.ts';

/** Who receives the data: the person themself, a counter office, a service, or an operator. */
export type RecipientKind = ConsentTable['recipient_kind'];

export interface Recipient {
  kind: RecipientKind;
  /** 'self', a counter office id, a service id, or the operator's name. */
  id: string;
}

export interface Consent {
  id: string;
  subjectKey: string;
  datasets: string[];
  recipient: Recipient;
  purpose: string;
  status: 'granted' | 'used' | 'revoked';
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | undefined;
  revokedAt: Date | undefined;
  /** The signed consent receipt (compact JWS), when one was issued. */
  receipt: string | undefined;
}

declare const consumedBrand: unique symbol;

/**
 * A consent this process has just consumed. Only consumeConsent makes one, and the broker takes
 * nothing else: no fetch happens without a consent that was granted and then used exactly once.
 */
export type ConsumedConsent = Consent & { readonly status: 'used'; readonly [consumedBrand]: true };

export interface NewConsent {
  /** A fresh id, when the caller needs it before the row exists (to sign the receipt). */
  id?: string;
  subjectKey: string;
  datasets: readonly string[];
  recipient: Recipient;
  purpose: string;
  /** How long the consent may wait to be used. */
  validForMs: number;
}

export async function insertConsent(db: Db, input: NewConsent, now = new Date()): Promise<Consent> {
  if (input.datasets.length === 0) throw new Error('a consent names at least one data set');
  const consent: Consent = {
    id: input.id ?? randomUUID(),
    subjectKey: input.subjectKey,
    datasets: [...new Set(input.datasets)],
    recipient: input.recipient,
    purpose: input.purpose,
    status: 'granted',
    createdAt: now,
    expiresAt: new Date(now.getTime() + input.validForMs),
    usedAt: undefined,
    revokedAt: undefined,
    receipt: undefined,
  };
  await db
    .insertInto('consents')
    .values({
      id: consent.id,
      subject_key: consent.subjectKey,
      datasets: JSON.stringify(consent.datasets),
      recipient_kind: consent.recipient.kind,
      recipient_id: consent.recipient.id,
      purpose: consent.purpose,
      status: 'granted',
      created_at: now.toISOString(),
      expires_at: consent.expiresAt.toISOString(),
      used_at: null,
      revoked_at: null,
      receipt: null,
    })
    .execute();
  return consent;
}

export async function setReceipt(db: Db, id: string, receipt: string): Promise<void> {
  await db.updateTable('consents').set({ receipt }).where('id', '=', id).execute();
}

/** Marks the consent used if, and only if, it is still granted and unexpired. The winner gets it. */
export async function consumeConsent(db: Db, id: string, now = new Date()): Promise<ConsumedConsent | undefined> {
  const result = await db
    .updateTable('consents')
    .set({ status: 'used', used_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'granted')
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return (await findConsent(db, id)) as ConsumedConsent | undefined;
}

/** Revokes the subject's own unused consent; false when it is used, revoked, expired or not theirs. */
export async function revokeConsent(db: Db, id: string, subjectKey: string, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable('consents')
    .set({ status: 'revoked', revoked_at: now.toISOString() })
    .where('id', '=', id)
    .where('subject_key', '=', subjectKey)
    .where('status', '=', 'granted')
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findConsent(db: Db, id: string): Promise<Consent | undefined> {
  const row = await db.selectFrom('consents').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toConsent(row) : undefined;
}

export async function unusedConsents(db: Db, subjectKey: string, now = new Date()): Promise<Consent[]> {
  const rows = await db
    .selectFrom('consents')
    .selectAll()
    .where('subject_key', '=', subjectKey)
    .where('status', '=', 'granted')
    .where('expires_at', '>', now.toISOString())
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toConsent);
}

function toConsent(row: ConsentTable): Consent {
  return {
    id: row.id,
    subjectKey: row.subject_key,
    datasets: JSON.parse(row.datasets) as string[],
    recipient: { kind: row.recipient_kind, id: row.recipient_id },
    purpose: row.purpose,
    status: row.status,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at ? new Date(row.used_at) : undefined,
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : undefined,
    receipt: row.receipt ?? undefined,
  };
}
