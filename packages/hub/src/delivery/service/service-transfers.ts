// What mode 3 needs around its delivery: start a transfer when the person consents (consent with
// its receipt, the retrieval, the transfer row), record a refusal, answer the service's data call
// (preparing, the one delivery, a failure, used, revoked), let the person revoke a transfer the
// service has not taken, and list the person's transfers. Routes call this; it calls the retrieval
// core and the transfers repository.
import { randomBytes } from 'node:crypto';
import type { CatalogueService } from '../../catalog/catalogue-service.ts';
import type { Agency, Dataset } from '../../catalog/repository.ts';
import type { Service, ServiceDirectory, ServiceProvider } from '../../catalog/service-repository.ts';
import type { Consent } from '../../consent/consent-repository.ts';
import { seal, unseal } from '../../keys/seal.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { Logger } from '../../log.ts';
import type { NoticeLang, Notifier } from '../../notify/index.ts';
import type { DatasetProgress, RetrievalView } from '../../retrieval/retrieval-repository.ts';
import { markDelivered } from '../../retrieval/retrieval-repository.ts';
import type { RetrievalService } from '../../retrieval/retrieval-service.ts';
import type { Db } from '../../store/database.ts';
import { createServiceDelivery } from './service-delivery.ts';
import type { ServiceKeyFetcher } from './service-keys.ts';
import { type DatasetResult, findTransfer, openTransfer, revokeTransfer, type Transfer, takeDelivery, transfersOf } from './transfers.ts';
import type { WebhookSender } from './webhook.ts';

/** A consent waits this long for its retrieval (which starts at once, in the same request). */
const CONSENT_VALID_MS = 10 * 60_000;
const NOTICE_LABEL = 'service-notice';

export interface ServiceTransfersDeps {
  db: Db;
  ledger: Pick<Ledger, 'commit'>;
  retrievals: RetrievalService;
  directory: ServiceDirectory;
  catalogue: Pick<CatalogueService, 'pick'>;
  keys: Pick<ServiceKeyFetcher, 'encryptionKey'>;
  webhooks: WebhookSender;
  notifier: Notifier;
  /** The authorization server's issuer (named in deliveries and webhooks). */
  issuer: string;
  publicUrl: string;
  logger: Logger;
  /** How long a delivery waits for its one data call (8 h at most). */
  ttlMs: number;
  /**
   * How long a data call may wait for agencies that are answering right away before it says 202:
   * most deliveries are then made in the first call. Not held while an agency says it is preparing.
   */
  holdMs?: number;
  now?: () => Date;
}

const DEFAULT_HOLD_MS = 3_000;

export type DataCall =
  | { kind: 'delivered'; jwe: string }
  | { kind: 'preparing'; retryAfterSeconds: number; datasets: Array<{ dataset: string; state: string }> }
  | { kind: 'failed'; failure: string; datasets: DatasetResult[] }
  | { kind: 'used'; at: Date }
  | { kind: 'revoked'; at: Date }
  | { kind: 'unknown' };

export interface StartInput {
  nationalId: string;
  provider: ServiceProvider;
  service: Service;
  datasets: ReadonlyArray<{ dataset: Dataset; agency: Agency }>;
  /** Where to send the notice after the transfer, if the person asked for one. */
  notice: { to: string; lang: NoticeLang } | undefined;
  lang: NoticeLang;
}

export class ServiceTransfers {
  private readonly now: () => Date;

  constructor(private readonly deps: ServiceTransfersDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The purpose as the ledger and the receipt record it (both languages, never personal). */
  static purposeOf(service: Service): string {
    return `${service.purpose['zh-TW']} / ${service.purpose.en}`.slice(0, 500);
  }

  /**
   * The person agreed: the consent and its receipt, then the retrieval at once, with the transfer's
   * key sealing the notice address. Returns the retrieval id and the transfer key (which only the
   * authorization's code and token will carry).
   */
  async start(input: StartInput): Promise<{ retrievalId: string; key: Buffer; consent: Consent }> {
    const { provider, service } = input;
    const subjectKey = this.deps.retrievals.subjectKeyOf(input.nationalId);
    const consent = await this.deps.retrievals.grant({
      subjectKey,
      datasets: input.datasets.map((p) => ({ id: p.dataset.id, category: p.dataset.category })),
      recipient: { kind: 'service', id: service.id },
      purpose: ServiceTransfers.purposeOf(service),
      controller: { 'zh-TW': `${provider.name['zh-TW']}・${service.name['zh-TW']}`, en: `${provider.name.en}: ${service.name.en}` },
      validForMs: CONSENT_VALID_MS,
      language: input.lang,
    });
    const key = randomBytes(32);
    const expiresAt = new Date(this.now().getTime() + this.deps.ttlMs);
    const delivery = createServiceDelivery(
      { db: this.deps.db, keys: this.deps.keys, issuer: this.deps.issuer, logger: this.deps.logger, now: this.now },
      { provider, service, expiresAt },
    );
    const { retrievalId } = await this.deps.retrievals.retrieve({
      consentId: consent.id,
      nationalId: input.nationalId,
      delivery,
      seal: (id) => (input.notice ? seal(key, `${NOTICE_LABEL}:${id}`, Buffer.from(JSON.stringify(input.notice))) : undefined),
      onFinished: (view) => this.finished(view, provider, service),
    });
    await openTransfer(
      this.deps.db,
      { retrievalId, consentId: consent.id, subjectKey, clientId: provider.clientId, serviceId: service.id, expiresAt },
      this.now(),
    );
    return { retrievalId, key, consent };
  }

  /** The person said no: nothing is granted; the refusal is in their history. */
  async refuse(input: { nationalId: string; service: Service; datasets: readonly string[] }): Promise<void> {
    await this.deps.retrievals.deny({
      subjectKey: this.deps.retrievals.subjectKeyOf(input.nationalId),
      datasets: input.datasets,
      recipient: { kind: 'service', id: input.service.id },
      purpose: ServiceTransfers.purposeOf(input.service),
    });
  }

  /** Tells a service with a webhook that its delivery has ended (ready or failed). */
  private async finished(view: RetrievalView, provider: ServiceProvider, service: Service): Promise<void> {
    if (!service.webhookUrl) return;
    const transfer = await findTransfer(this.deps.db, view.id);
    const ready = transfer?.status === 'ready';
    if (transfer?.status === 'revoked') return;
    await this.deps.webhooks.send({
      event: ready ? 'delivery.ready' : 'delivery.failed',
      transfer: view.id,
      service: service.id,
      clientId: provider.clientId,
      url: service.webhookUrl,
    });
  }

  /**
   * The service's data call for a transfer: the delivery itself exactly once, or why not. The
   * delivery leaves the database in the same transaction as its ledger entry.
   */
  async dataCall(retrievalId: string, clientId: string, transferKey: Buffer, holdMs = this.deps.holdMs ?? DEFAULT_HOLD_MS): Promise<DataCall> {
    const transfer = await findTransfer(this.deps.db, retrievalId);
    if (!transfer || transfer.clientId !== clientId) return { kind: 'unknown' };
    switch (transfer.status) {
      case 'delivered':
        return { kind: 'used', at: transfer.deliveredAt ?? transfer.createdAt };
      case 'revoked':
        return { kind: 'revoked', at: transfer.revokedAt ?? transfer.createdAt };
      case 'failed':
        return { kind: 'failed', failure: transfer.failure ?? 'delivery_failed', datasets: transfer.outcomes };
      case 'waiting': {
        const waiting = await this.waiting(transfer);
        if (waiting.kind !== 'preparing' || holdMs <= 0 || waiting.datasets.some((d) => d.state === 'preparing')) return waiting;
        await this.until(transfer.retrievalId, holdMs);
        return this.dataCall(retrievalId, clientId, transferKey, 0);
      }
      case 'ready':
        return this.take(transfer, transferKey);
    }
  }

  private async waiting(transfer: Transfer): Promise<DataCall> {
    const retrieval = await this.deps.retrievals.find(transfer.retrievalId);
    if (retrieval && retrieval.status !== 'running') {
      // Ended without a delivery row update: interrupted, or the delivery failed before it could say why.
      return { kind: 'failed', failure: retrieval.failure ?? 'delivery_failed', datasets: retrieval.datasets.map(resultOf) };
    }
    const datasets = retrieval?.datasets ?? [];
    const waits = datasets.map((d) => d.retryAfterSeconds ?? 0).filter((s) => s > 0);
    return {
      kind: 'preparing',
      retryAfterSeconds: Math.min(30, Math.max(1, ...waits)),
      datasets: datasets.map((d) => ({ dataset: d.dataset, state: d.state })),
    };
  }

  /** Resolves when the retrieval ends, an agency says it is preparing, or after ms. */
  private until(retrievalId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let stop = () => {};
      const timer = setTimeout(() => {
        stop();
        resolve();
      }, ms);
      stop = this.deps.retrievals.watch(retrievalId, (snapshot) => {
        if (snapshot.status === 'running' && !snapshot.datasets.some((d) => d.state === 'preparing')) return;
        clearTimeout(timer);
        queueMicrotask(() => stop());
        resolve();
      });
    });
  }

  private async take(transfer: Transfer, transferKey: Buffer): Promise<DataCall> {
    const now = this.now();
    const [retrieval, consent] = await Promise.all([this.deps.retrievals.find(transfer.retrievalId), this.deps.retrievals.findConsent(transfer.consentId)]);
    const delivered = transfer.outcomes.filter((o) => o.status === 'ok').map((o) => o.dataset);
    const jwe = await this.deps.ledger.commit(async (trx) => {
      const taken = await takeDelivery(trx, transfer.retrievalId, now);
      if (!taken) return { entries: [], value: undefined };
      await markDelivered(trx, transfer.retrievalId, now);
      return {
        entries: [
          {
            action: 'transfer_to_service',
            actor: { kind: 'service', id: transfer.clientId },
            subject: transfer.subjectKey,
            datasets: delivered,
            consent: transfer.consentId,
            recipient: transfer.serviceId,
            purpose: consent?.purpose ?? null,
            outcome: 'ok',
          },
        ],
        value: taken,
      };
    });
    if (!jwe) {
      // Another call took it a moment ago.
      const after = await findTransfer(this.deps.db, transfer.retrievalId);
      return after?.status === 'revoked' ? { kind: 'revoked', at: after.revokedAt ?? now } : { kind: 'used', at: after?.deliveredAt ?? now };
    }
    if (retrieval?.sealedNotice)
      this.notify(transfer, retrieval.sealedNotice, transferKey, delivered, now).catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'transfer notice failed'),
      );
    return { kind: 'delivered', jwe };
  }

  /** Mails the person who asked for it; the address was sealed under the transfer key and is now gone. */
  private async notify(transfer: Transfer, sealed: string, key: Buffer, datasets: string[], at: Date): Promise<void> {
    const notice = JSON.parse(unseal(key, `${NOTICE_LABEL}:${transfer.retrievalId}`, sealed).toString('utf8')) as { to: string; lang: NoticeLang };
    const [known, service, provider] = await Promise.all([
      this.deps.catalogue.pick(datasets),
      this.deps.directory.service(transfer.serviceId),
      this.deps.directory.provider(transfer.clientId),
    ]);
    await this.deps.notifier.notify({
      to: notice.to,
      lang: notice.lang,
      kind: 'transfer',
      at,
      datasets: known.map((k) => ({ name: k.dataset.name, agency: k.agency.name })),
      ...(service && provider
        ? { recipient: { 'zh-TW': `${provider.name['zh-TW']}「${service.name['zh-TW']}」`, en: `${provider.name.en}, ${service.name.en}` } }
        : {}),
      historyUrl: `${this.deps.publicUrl}/history`,
    });
  }

  /** The person withdraws a transfer the service has not taken yet; false when it is too late. */
  async revoke(retrievalId: string, nationalId: string): Promise<boolean> {
    const subjectKey = this.deps.retrievals.subjectKeyOf(nationalId);
    return this.deps.ledger.commit(async (trx) => {
      const revoked = await revokeTransfer(trx, retrievalId, subjectKey, this.now());
      if (!revoked) return { entries: [], value: false };
      return {
        entries: [
          {
            action: 'consent_revoked',
            actor: { kind: 'citizen', id: subjectKey },
            subject: subjectKey,
            consent: revoked.consentId,
            recipient: revoked.serviceId,
          },
        ],
        value: true,
      };
    });
  }

  /** The person's transfers, newest first, with the data sets each consent named. */
  async transfersOf(nationalId: string): Promise<Array<Transfer & { datasets: string[] }>> {
    const list = await transfersOf(this.deps.db, this.deps.retrievals.subjectKeyOf(nationalId));
    return Promise.all(list.map(async (t) => ({ ...t, datasets: (await this.deps.retrievals.findConsent(t.consentId))?.datasets ?? [] })));
  }

  /** The person's own transfer and its consent receipt. */
  async ownTransfer(retrievalId: string, nationalId: string): Promise<{ transfer: Transfer; receipt: string | undefined } | undefined> {
    const transfer = await findTransfer(this.deps.db, retrievalId);
    if (!transfer || transfer.subjectKey !== this.deps.retrievals.subjectKeyOf(nationalId)) return undefined;
    const consent = await this.deps.retrievals.findConsent(transfer.consentId);
    return { transfer, receipt: consent?.receipt };
  }
}

function resultOf(progress: DatasetProgress): DatasetResult {
  return {
    dataset: progress.dataset,
    agency: progress.agency ?? null,
    status: progress.state === 'ok' ? 'ok' : progress.state === 'no_data' ? 'no_data' : 'failed',
    reason: progress.state === 'ok' || progress.state === 'no_data' ? null : (progress.reason ?? 'hub_interrupted'),
  };
}
