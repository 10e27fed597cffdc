// Mode 1's delivery: the verified agency packages become one AES-256 ZIP under the person's
// password, stored behind a one-time link bound to the person; the records for the preview are
// sealed under the retrieval key that only the person's session holds. The password and the
// plaintext exist only in memory, in this call.
import type { PackageData } from '@openmydata/protocol';
import type { CatalogueService } from '../../catalog/catalogue-service.ts';
import { seal } from '../../keys/seal.ts';
import type { Delivered, Delivery, DeliveryInput } from '../../retrieval/delivery.ts';
import { setPreview } from '../../retrieval/retrieval-repository.ts';
import type { Db } from '../../store/database.ts';
import { buildDownloadPackage } from './build-download-package.ts';
import { downloadToken, storeDownload } from './downloads.ts';

export interface DownloadDeliveryDeps {
  db: Db;
  catalogue: Pick<CatalogueService, 'pick'>;
  /** How long the built download waits for its one download (at most 8 h). */
  ttlMs: number;
  /** How long the preview may be shown. */
  previewMs: number;
  now?: () => Date;
}

export const PREVIEW_LABEL = 'preview';

export function createDownloadDelivery(deps: DownloadDeliveryDeps, options: { password: string; retrievalKey: Buffer }): Delivery {
  const now = deps.now ?? (() => new Date());
  return {
    recipient: 'self',
    async accept({ retrievalId, consent, packages }: DeliveryInput): Promise<Delivered | undefined> {
      if (packages.length === 0) return undefined;
      const known = await deps.catalogue.pick(packages.map((p) => p.dataset));
      const agencies = new Map(known.map((k) => [k.agency.id, k.agency] as const));
      const datasets = new Map(known.map((k) => [k.dataset.id, k.dataset] as const));
      const createdAt = now();
      const ciphertext = await buildDownloadPackage({
        outcomes: packages,
        password: options.password,
        agencies,
        datasets,
        createdAt,
        transactionLabel: retrievalId.slice(0, 8),
      });
      const stored = await storeDownload(
        deps.db,
        { token: downloadToken(options.retrievalKey, retrievalId), subjectKey: consent.subjectKey, consentId: consent.id, ciphertext, ttlMs: deps.ttlMs },
        createdAt,
      );
      const preview: Record<string, PackageData> = {};
      for (const p of packages) {
        const data = p.package.files.get('data.json');
        if (data) preview[p.dataset] = JSON.parse(data.toString('utf8')) as PackageData;
      }
      const sealed = seal(options.retrievalKey, `${PREVIEW_LABEL}:${retrievalId}`, Buffer.from(JSON.stringify(preview)));
      await setPreview(deps.db, retrievalId, sealed, new Date(createdAt.getTime() + deps.previewMs));
      return {
        reference: stored.id,
        entries: [
          {
            action: 'package_built',
            actor: { kind: 'hub', id: 'hub' },
            subject: consent.subjectKey,
            datasets: packages.map((p) => p.dataset),
            consent: consent.id,
            recipient: 'self',
            outcome: 'ok',
          },
        ],
      };
    },
  };
}
