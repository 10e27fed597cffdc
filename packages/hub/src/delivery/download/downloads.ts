// Built downloads waiting behind their one-time link. The row holds ciphertext under the person's
// password and the hash of the link token; taking it deletes it in the same step, so a link works
// once, only for the person it belongs to, and anything left is purged at expiry.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Db } from '../../store/database.ts';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The link token of a retrieval's download: derived from the retrieval key the person's session
 * holds, so any hub process serving that session can show the link, and the database keeps only
 * its hash.
 */
export function downloadToken(retrievalKey: Buffer, retrievalId: string): string {
  return createHmac('sha256', retrievalKey).update(`openmydata download link ${retrievalId}`).digest('base64url');
}

export interface StoredDownload {
  id: string;
  subjectKey: string;
  consentId: string;
  size: number;
  createdAt: Date;
  expiresAt: Date;
}

export async function storeDownload(
  db: Db,
  input: { token: string; subjectKey: string; consentId: string; ciphertext: Uint8Array; ttlMs: number },
  now = new Date(),
): Promise<StoredDownload> {
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + input.ttlMs);
  await db
    .insertInto('downloads')
    .values({
      id,
      token_hash: hashToken(input.token),
      subject_key: input.subjectKey,
      consent_id: input.consentId,
      ciphertext: Buffer.from(input.ciphertext),
      size: input.ciphertext.byteLength,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
    })
    .execute();
  return { id, subjectKey: input.subjectKey, consentId: input.consentId, size: input.ciphertext.byteLength, createdAt: now, expiresAt };
}

/** What a download row says, without its ciphertext. */
export async function findDownload(db: Db, id: string, now = new Date()): Promise<StoredDownload | undefined> {
  const row = await db
    .selectFrom('downloads')
    .select(['id', 'subject_key', 'consent_id', 'size', 'created_at', 'expires_at'])
    .where('id', '=', id)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        subjectKey: row.subject_key,
        consentId: row.consent_id,
        size: row.size,
        createdAt: new Date(row.created_at),
        expiresAt: new Date(row.expires_at),
      }
    : undefined;
}

/** The pending download behind a link, if it is this person's; nothing is spent. */
export async function findDownloadByToken(db: Db, token: string, subjectKey: string, now = new Date()): Promise<StoredDownload | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const row = await db
    .selectFrom('downloads')
    .select(['id', 'subject_key', 'consent_id', 'size', 'created_at', 'expires_at'])
    .where('token_hash', '=', hashToken(token))
    .where('subject_key', '=', subjectKey)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        subjectKey: row.subject_key,
        consentId: row.consent_id,
        size: row.size,
        createdAt: new Date(row.created_at),
        expiresAt: new Date(row.expires_at),
      }
    : undefined;
}

/**
 * The download for a link, deleted as it is taken: of two concurrent takers only one gets it. A link
 * of another person's download is neither returned nor spent.
 */
export async function takeDownload(
  db: Db,
  token: string,
  subjectKey: string,
  now = new Date(),
): Promise<{ id: string; consentId: string; ciphertext: Buffer } | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const row = await db
    .selectFrom('downloads')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .where('subject_key', '=', subjectKey)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  if (!row) return undefined;
  const deleted = await db.deleteFrom('downloads').where('id', '=', row.id).executeTakeFirst();
  if (Number(deleted.numDeletedRows) !== 1) return undefined;
  return { id: row.id, consentId: row.consent_id, ciphertext: Buffer.from(row.ciphertext) };
}

export async function purgeExpiredDownloads(db: Db, now = new Date()): Promise<number> {
  const result = await db.deleteFrom('downloads').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
