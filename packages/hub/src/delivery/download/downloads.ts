// Built download packages waiting behind a one-time link. The row holds ciphertext under the
// person's password and the hash of the link token; taking it deletes it in the same step, so a
// link works once, and anything left is purged at expiry.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../store/database.ts';

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function storeDownload(
  db: Db,
  input: { subjectKey: string; consentId: string; ciphertext: Uint8Array; ttlMs: number },
  now = new Date(),
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + input.ttlMs);
  await db
    .insertInto('downloads')
    .values({
      id,
      token_hash: hashToken(token),
      subject_key: input.subjectKey,
      consent_id: input.consentId,
      ciphertext: Buffer.from(input.ciphertext),
      size: input.ciphertext.byteLength,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
    })
    .execute();
  return { id, token, expiresAt };
}

/** The package for a link, deleted as it is taken: of two concurrent takers only one gets it. */
export async function takeDownload(
  db: Db,
  token: string,
  now = new Date(),
): Promise<{ id: string; subjectKey: string; consentId: string; ciphertext: Buffer } | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const tokenHash = hashToken(token);
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('downloads').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    if (!row) return undefined;
    const deleted = await trx.deleteFrom('downloads').where('id', '=', row.id).executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1 || row.expires_at <= now.toISOString()) return undefined;
    return { id: row.id, subjectKey: row.subject_key, consentId: row.consent_id, ciphertext: Buffer.from(row.ciphertext) };
  });
}

export async function purgeExpiredDownloads(db: Db, now = new Date()): Promise<number> {
  const result = await db.deleteFrom('downloads').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
