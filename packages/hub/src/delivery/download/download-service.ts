// What the person's pages need about a download retrieval, from the database and the retrieval key
// their session holds: progress, the one-time link, the preview, the receipt, and taking the file.
import { timingSafeEqual } from 'node:crypto';
import type { PackageData } from '@openmydata/protocol';
import type { CatalogueService } from '../../catalog/catalogue-service.ts';
import { seal, unseal } from '../../keys/seal.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { Logger } from '../../log.ts';
import type { NoticeLang, Notifier } from '../../notify/index.ts';
import { findRetrievalByConsent, markDelivered, type RetrievalView } from '../../retrieval/retrieval-repository.ts';
import type { RetrievalService } from '../../retrieval/retrieval-service.ts';
import type { Db } from '../../store/database.ts';
import { PREVIEW_LABEL } from './download-delivery.ts';
import { downloadToken, findDownload, findDownloadByToken, type StoredDownload, takeDownload } from './downloads.ts';

const NOTICE_LABEL = 'notice';

export interface DownloadStatus {
  retrieval: RetrievalView;
  /** The stored download while it waits for its one download. */
  download: StoredDownload | undefined;
  /** The signed consent receipt, when the consent has one. */
  receipt: string | undefined;
}

export interface DownloadServiceDeps {
  db: Db;
  ledger: Pick<Ledger, 'commit'>;
  retrievals: Pick<RetrievalService, 'find' | 'findConsent'>;
  catalogue: Pick<CatalogueService, 'pick'>;
  notifier: Notifier;
  publicUrl: string;
  logger: Logger;
  now?: () => Date;
}

export class DownloadService {
  private readonly now: () => Date;

  constructor(private readonly deps: DownloadServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Seals where to send the notice after the download, under the retrieval key. */
  sealNotice(retrievalKey: Buffer, retrievalId: string, notice: { to: string; lang: NoticeLang }): string {
    return seal(retrievalKey, `${NOTICE_LABEL}:${retrievalId}`, Buffer.from(JSON.stringify(notice)));
  }

  /** The person's own download retrieval, or undefined for anyone else's or none. */
  async status(retrievalId: string, subjectKey: string): Promise<DownloadStatus | undefined> {
    const retrieval = await this.deps.retrievals.find(retrievalId);
    if (!retrieval || retrieval.subjectKey !== subjectKey || retrieval.recipient.kind !== 'self') return undefined;
    const [download, consent] = await Promise.all([
      retrieval.deliveryRef && !retrieval.deliveredAt ? findDownload(this.deps.db, retrieval.deliveryRef, this.now()) : undefined,
      this.deps.retrievals.findConsent(retrieval.consentId),
    ]);
    return { retrieval, download, receipt: consent?.receipt };
  }

  linkToken(retrieval: RetrievalView, retrievalKey: Buffer): string {
    return downloadToken(retrievalKey, retrieval.id);
  }

  /** The records of the preview, or undefined once it has expired or without the right key. */
  preview(retrieval: RetrievalView, retrievalKey: Buffer | undefined): Map<string, PackageData> | undefined {
    if (!retrieval.sealedPreview || !retrievalKey || (retrieval.previewExpiresAt && retrieval.previewExpiresAt <= this.now())) return undefined;
    try {
      const json = JSON.parse(unseal(retrievalKey, `${PREVIEW_LABEL}:${retrieval.id}`, retrieval.sealedPreview).toString('utf8')) as Record<
        string,
        PackageData
      >;
      return new Map(Object.entries(json));
    } catch {
      return undefined;
    }
  }

  /**
   * Takes the download behind a link for its owner: the row is deleted, the retrieval marked
   * delivered and the ledger told, together. For anyone else the link does not exist and is not
   * spent; `mayHave` checks the session's level against the retrieval before anything is taken.
   */
  async take(
    token: string,
    subjectKey: string,
    retrievalKeys: ReadonlyMap<string, Buffer>,
    mayHave: (retrieval: RetrievalView) => Promise<boolean>,
  ): Promise<{ ciphertext: Buffer } | 'not_found' | { gone: true; deliveredAt: Date | undefined }> {
    const now = this.now();
    // A link this session made itself is recognised even after it was spent, to say so.
    const ownId = [...retrievalKeys].find(([id, key]) => sameText(downloadToken(key, id), token))?.[0];
    const pending = await findDownloadByToken(this.deps.db, token, subjectKey, now);
    const retrieval = pending ? await findRetrievalByConsent(this.deps.db, pending.consentId) : ownId ? await this.deps.retrievals.find(ownId) : undefined;
    if (!retrieval || retrieval.subjectKey !== subjectKey || !(await mayHave(retrieval))) return 'not_found';
    if (!pending) return { gone: true, deliveredAt: retrieval.deliveredAt };
    const taken = await this.deps.ledger.commit(async (trx) => {
      const found = await takeDownload(trx, token, subjectKey, now);
      if (!found) return { entries: [], value: undefined };
      await markDelivered(trx, retrieval.id, now);
      return {
        entries: [
          { action: 'download', actor: { kind: 'citizen', id: subjectKey }, subject: subjectKey, consent: found.consentId, recipient: 'self', outcome: 'ok' },
        ],
        value: found,
      };
    });
    if (!taken) return { gone: true, deliveredAt: (await this.deps.retrievals.find(retrieval.id))?.deliveredAt };
    this.sendNotice(retrieval, retrievalKeys.get(retrieval.id)).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'download notice failed'));
    return { ciphertext: taken.ciphertext };
  }

  /** Mails the person who asked for it; the address was sealed and is now forgotten. Never fails the download. */
  private async sendNotice(retrieval: RetrievalView, retrievalKey: Buffer | undefined): Promise<void> {
    if (!retrieval.sealedNotice || !retrievalKey) return;
    const notice = JSON.parse(unseal(retrievalKey, `${NOTICE_LABEL}:${retrieval.id}`, retrieval.sealedNotice).toString('utf8')) as {
      to: string;
      lang: NoticeLang;
    };
    const delivered = retrieval.datasets.filter((d) => d.state === 'ok').map((d) => d.dataset);
    const known = await this.deps.catalogue.pick(delivered);
    await this.deps.notifier.notify({
      to: notice.to,
      lang: notice.lang,
      kind: 'download',
      at: this.now(),
      datasets: known.map((k) => ({ name: k.dataset.name, agency: k.agency.name })),
      historyUrl: `${this.deps.publicUrl}/history`,
    });
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
