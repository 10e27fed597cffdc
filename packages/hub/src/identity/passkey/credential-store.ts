// The passkeys table: one row per credential, found by credential id (login) or subject key
// (the person's list). The only SQL in the passkey method lives here.
import type { Db } from '../../store/database.ts';

export interface StoredPasskey {
  credentialId: string;
  subjectKey: string;
  userHandle: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  sealedNationalId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

type Row = {
  credential_id: string;
  subject_key: string;
  user_handle: string;
  public_key: Buffer;
  counter: number | string;
  transports: string;
  sealed_national_id: string;
  created_at: string;
  last_used_at: string | null;
};

function transportsOf(text: string): string[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

function fromRow(row: Row): StoredPasskey {
  return {
    credentialId: row.credential_id,
    subjectKey: row.subject_key,
    userHandle: row.user_handle,
    publicKey: new Uint8Array(row.public_key),
    // PostgreSQL returns bigint as a string.
    counter: Number(row.counter),
    transports: transportsOf(row.transports),
    sealedNationalId: row.sealed_national_id,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
  };
}

/** False when the credential id is already registered (to anyone). */
export async function insertPasskey(db: Db, passkey: StoredPasskey): Promise<boolean> {
  const result = await db
    .insertInto('passkeys')
    .values({
      credential_id: passkey.credentialId,
      subject_key: passkey.subjectKey,
      user_handle: passkey.userHandle,
      public_key: Buffer.from(passkey.publicKey),
      counter: passkey.counter,
      transports: JSON.stringify(passkey.transports),
      sealed_national_id: passkey.sealedNationalId,
      created_at: passkey.createdAt.toISOString(),
      last_used_at: null,
    })
    .onConflict((oc) => oc.column('credential_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findPasskey(db: Db, credentialId: string): Promise<StoredPasskey | undefined> {
  const row = await db.selectFrom('passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function passkeysOf(db: Db, subjectKey: string): Promise<StoredPasskey[]> {
  const rows = await db.selectFrom('passkeys').selectAll().where('subject_key', '=', subjectKey).orderBy('created_at').orderBy('credential_id').execute();
  return rows.map(fromRow);
}

export async function deletePasskeyRow(db: Db, subjectKey: string, credentialId: string): Promise<boolean> {
  const result = await db.deleteFrom('passkeys').where('subject_key', '=', subjectKey).where('credential_id', '=', credentialId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/**
 * Moves the counter from what this login read to what the authenticator reported, only if no other
 * login moved it in between (compare and set): of two logins replaying one counter value, one wins.
 */
export async function recordPasskeyUse(db: Db, credentialId: string, readCounter: number, newCounter: number, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('passkeys')
    .set({ counter: newCounter, last_used_at: at.toISOString() })
    .where('credential_id', '=', credentialId)
    .where('counter', '=', readCounter)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
