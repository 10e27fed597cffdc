// The hub's own signing keys (ES256), kept sealed in the database so every hub process shares them.
import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Db } from '../store/database.ts';
import { seal, unseal } from './seal.ts';

export type KeyPurpose = 'provider-request' | 'ledger-sth' | 'consent-receipt' | 'service-authorization';

export interface HubSigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const ALG = 'ES256';

/** The purpose's current key; the first caller creates it, concurrent callers converge on one. */
export async function currentSigningKey(db: Db, secret: Buffer, purpose: KeyPurpose): Promise<HubSigningKey> {
  const existing = await activeRow(db, purpose);
  if (existing) return openRow(existing, secret, purpose);
  const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
  try {
    await db
      .insertInto('hub_keys')
      .values({
        seq: 1,
        kid,
        purpose,
        alg: ALG,
        public_jwk: JSON.stringify(publicJwk),
        sealed_private_jwk: seal(secret, `key:${purpose}`, Buffer.from(JSON.stringify(privateJwk))),
        created_at: new Date().toISOString(),
      })
      .execute();
  } catch {
    // Another process created the first key at the same moment (unique purpose+seq); use theirs.
  }
  const row = await activeRow(db, purpose);
  if (!row) throw new Error(`no ${purpose} key could be created`);
  return openRow(row, secret, purpose);
}

/** The purpose's current key as a private JWK, for a library that takes keys that way (oidc-provider). */
export async function currentSigningJwk(db: Db, secret: Buffer, purpose: KeyPurpose): Promise<JWK> {
  const { kid } = await currentSigningKey(db, secret, purpose);
  const row = await db.selectFrom('hub_keys').select('sealed_private_jwk').where('kid', '=', kid).executeTakeFirstOrThrow();
  return { ...(JSON.parse(unseal(secret, `key:${purpose}`, row.sealed_private_jwk).toString('utf8')) as JWK), use: 'sig' };
}

export async function publishedJwks(db: Db): Promise<{ keys: JWK[] }> {
  const rows = await db.selectFrom('hub_keys').select('public_jwk').where('retired_at', 'is', null).orderBy('seq').execute();
  return { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
}

async function activeRow(db: Db, purpose: KeyPurpose) {
  return db
    .selectFrom('hub_keys')
    .selectAll()
    .where('purpose', '=', purpose)
    .where('retired_at', 'is', null)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function openRow(row: { kid: string; public_jwk: string; sealed_private_jwk: string }, secret: Buffer, purpose: KeyPurpose): Promise<HubSigningKey> {
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(unseal(secret, `key:${purpose}`, row.sealed_private_jwk).toString('utf8')) as JWK;
  } catch {
    throw new Error('cannot unseal the hub signing key: HUB_SECRET differs from the one that sealed it');
  }
  const privateKey = (await importJWK(privateJwk, ALG)) as CryptoKey;
  return { kid: row.kid, privateKey, publicJwk: JSON.parse(row.public_jwk) as JWK };
}
