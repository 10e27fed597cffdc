// Consent receipts: a signed JWT (ES256, typ consent-receipt+jwt, the hub's 'consent-receipt' key)
// given to the person for each consent, with fields after ISO/IEC TS 27560 and the Kantara Consent
// Receipt v1.1. The subject is a pseudonym (the subject key); there is no name in a receipt.
// The consent's expiry is a field, not the JWT's exp, so a receipt stays verifiable as a record
// after the consent itself has lapsed.
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { HubSigningKey } from '../keys/hub-keys.ts';
import { looksLikePersonId, SUBJECT_KEY } from './entry.ts';

export const CONSENT_RECEIPT_TYP = 'consent-receipt+jwt';
export const CONSENT_RECEIPT_VERSION = 'openmydata-cr-1';

const safeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
const text = z
  .string()
  .min(1)
  .max(500)
  .refine((s) => !looksLikePersonId(s), 'looks like it holds a national ID');
const localized = z.object({ en: text, 'zh-TW': text }).strict();

export const consentReceiptInputSchema = z
  .object({
    consentId: safeId,
    subjectKey: z.string().regex(SUBJECT_KEY),
    /** The PII controller: the service provider, counter or agency receiving the data. */
    controller: z.object({ id: safeId, name: localized.optional() }).strict(),
    purposes: z.array(text).min(1).max(10),
    datasets: z
      .array(z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/), category: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/) }).strict())
      .min(1)
      .max(100),
    consentedAt: z.date(),
    expiresAt: z.date(),
    language: z.enum(['zh-TW', 'en']).default('zh-TW'),
  })
  .strict()
  .refine((r) => r.expiresAt > r.consentedAt, { message: 'expires before it was given', path: ['expiresAt'] });
export type ConsentReceiptInput = z.input<typeof consentReceiptInputSchema>;

/** The receipt's claims. Kantara CR v1.1 / ISO/IEC TS 27560 names in the comments. */
const claimsSchema = z.object({
  iss: z.string(),
  /** consentReceiptID */
  jti: z.uuid(),
  /** consentTimestamp (seconds since the epoch) */
  iat: z.number().int(),
  /** piiPrincipalId: the subject pseudonym */
  sub: z.string().regex(SUBJECT_KEY),
  /** version */
  receipt_version: z.literal(CONSENT_RECEIPT_VERSION),
  /** jurisdiction */
  jurisdiction: z.literal('TW'),
  /** language */
  language: z.enum(['zh-TW', 'en']),
  consent_id: safeId,
  /** piiControllers */
  controller: z.object({ id: safeId, name: localized.optional() }),
  /** services[].purposes[].purpose */
  purposes: z.array(z.string()).min(1),
  /** services[].purposes[].piiCategory */
  data_categories: z.array(z.string()).min(1),
  datasets: z.array(z.string()).min(1),
  /** consentType */
  consent_type: z.literal('explicit'),
  /** termination: the consent is used once, then spent */
  one_time_use: z.literal(true),
  /** termination: when an unused consent lapses (seconds since the epoch) */
  expires_at: z.number().int(),
});
export type ConsentReceipt = z.infer<typeof claimsSchema>;

export async function signConsentReceipt(input: ConsentReceiptInput, key: HubSigningKey, issuer: string): Promise<{ receiptId: string; jws: string }> {
  const r = consentReceiptInputSchema.parse(input);
  const receiptId = randomUUID();
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  const claims = {
    receipt_version: CONSENT_RECEIPT_VERSION,
    jurisdiction: 'TW',
    language: r.language,
    consent_id: r.consentId,
    controller: r.controller,
    purposes: r.purposes,
    data_categories: [...new Set(r.datasets.map((d) => d.category))],
    datasets: r.datasets.map((d) => d.id),
    consent_type: 'explicit',
    one_time_use: true,
    expires_at: seconds(r.expiresAt),
  };
  const jws = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: CONSENT_RECEIPT_TYP })
    .setIssuer(issuer)
    .setSubject(r.subjectKey)
    .setJti(receiptId)
    .setIssuedAt(seconds(r.consentedAt))
    .sign(key.privateKey);
  return { receiptId, jws };
}

export class ConsentReceiptError extends Error {
  override readonly name = 'ConsentReceiptError';
}

/** Verifies a receipt against the hub's published keys (GET /.well-known/jwks.json). */
export async function verifyConsentReceipt(jws: string, jwks: JSONWebKeySet, options: { issuer: string }): Promise<ConsentReceipt> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(jws, createLocalJWKSet(jwks), { issuer: options.issuer, typ: CONSENT_RECEIPT_TYP, algorithms: ['ES256'] }));
  } catch (error) {
    throw new ConsentReceiptError(`not a valid consent receipt: ${(error as Error).message}`);
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new ConsentReceiptError('the receipt is signed but lacks required fields');
  return claims.data;
}
