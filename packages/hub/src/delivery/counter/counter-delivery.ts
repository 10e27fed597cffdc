// Mode 2's delivery: the verified agency packages become one counter package, ciphertext under a
// random key that is stored only wrapped under the person's code and under their retrieval key
// (see counter-package.ts). The code is made here and shown to the person from the database (sealed
// under their retrieval key), so any hub process can show it. The notice address lives only in
// this call's memory and, wrapped like the key, in the database.
import { randomUUID } from 'node:crypto';
import { seal } from '../../keys/seal.ts';
import type { Delivered, Delivery, DeliveryInput } from '../../retrieval/delivery.ts';
import type { Db } from '../../store/database.ts';
import { type CodeKeys, newCounterCode } from './counter-code.ts';
import { LABELS, newPackageKey, type PackageSecret, sealPackage, wrapSecret } from './counter-package.ts';
import { insertCode, insertPackage } from './counter-store.ts';

export interface CounterDeliveryDeps {
  db: Db;
  codes: CodeKeys;
  /** How long the package waits for a clerk (at most 8 h). */
  packageTtlMs: number;
  /** How long one code works (20 min). */
  codeTtlMs: number;
  now?: () => Date;
}

export interface CounterDeliveryOptions {
  /** The counter service and its office, as the consent names them. */
  serviceId: string;
  officeId: string;
  /** The person's retrieval key (their session holds it). */
  retrievalKey: Buffer;
  notice: PackageSecret['notice'];
}

export function createCounterDelivery(deps: CounterDeliveryDeps, options: CounterDeliveryOptions): Delivery {
  const now = deps.now ?? (() => new Date());
  return {
    recipient: 'counter',
    async accept({ retrievalId, consent, packages }: DeliveryInput): Promise<Delivered | undefined> {
      if (packages.length === 0) return undefined;
      if (consent.recipient.id !== options.serviceId) throw new TypeError('the consent names another counter service');
      const createdAt = now();
      const packageId = randomUUID();
      const secret: PackageSecret = { key: newPackageKey(), notice: options.notice };
      await insertPackage(deps.db, {
        id: packageId,
        retrievalId,
        consentId: consent.id,
        subjectKey: consent.subjectKey,
        serviceId: options.serviceId,
        officeId: options.officeId,
        datasets: packages.map((p) => p.dataset),
        ciphertext: sealPackage(secret.key, packageId, packages),
        ownerSealed: wrapSecret(options.retrievalKey, LABELS.owner(retrievalId), secret),
        createdAt,
        expiresAt: new Date(createdAt.getTime() + deps.packageTtlMs),
      });
      await issueCode(deps, { packageId, retrievalId, subjectKey: consent.subjectKey, serviceId: options.serviceId, officeId: options.officeId }, secret, {
        retrievalKey: options.retrievalKey,
        at: createdAt,
        packageExpiresAt: new Date(createdAt.getTime() + deps.packageTtlMs),
      });
      return {
        reference: packageId,
        entries: [
          {
            action: 'package_built',
            actor: { kind: 'hub', id: 'hub' },
            subject: consent.subjectKey,
            datasets: packages.map((p) => p.dataset),
            consent: consent.id,
            recipient: options.serviceId,
            outcome: 'ok',
          },
        ],
      };
    },
  };
}

/** Makes a new code for a package: the secret wrapped under it, the code sealed for its owner. */
export async function issueCode(
  deps: Pick<CounterDeliveryDeps, 'db' | 'codes' | 'codeTtlMs'>,
  target: { packageId: string; retrievalId: string; subjectKey: string; serviceId: string; officeId: string },
  secret: PackageSecret,
  options: { retrievalKey: Buffer; at: Date; packageExpiresAt: Date },
): Promise<{ code: string; expiresAt: Date }> {
  // 40 random bits: a collision with a code still remembered is next to impossible; a second try covers it.
  for (let attempt = 0; ; attempt++) {
    const code = newCounterCode();
    const expiresAt = new Date(Math.min(options.at.getTime() + deps.codeTtlMs, options.packageExpiresAt.getTime()));
    const stretched = await deps.codes.stretch(code);
    try {
      await insertCode(deps.db, {
        codeHash: stretched.hash,
        ...target,
        wrapped: wrapSecret(stretched.packageKey(target.packageId), LABELS.code(target.packageId), secret),
        ownerCode: seal(options.retrievalKey, LABELS.ownerCode(target.retrievalId), Buffer.from(code)),
        issuedAt: options.at,
        expiresAt,
        // The tombstone outlives the package so a clerk hears "used" or "replaced", not "unknown".
        forgetAt: options.packageExpiresAt,
      });
      return { code, expiresAt };
    } catch (error) {
      if (attempt >= 2) throw error;
    }
  }
}
