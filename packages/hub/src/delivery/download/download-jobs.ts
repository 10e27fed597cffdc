// A download job: consume the consent, fetch every chosen data set in parallel with live progress,
// then seal what arrived into one AES-256 ZIP under the person's password and put it behind a
// one-time link. The password and the plaintext packages live only in this process's memory: the
// password until the ZIP is built, the records shown in the preview for at most previewMs.
import { randomUUID } from 'node:crypto';
import type { PackageData } from '@openmydata/protocol';
import type { Broker } from '../../broker/broker.ts';
import type { DatasetOutcome, FailureReason, ProgressState } from '../../broker/outcome.ts';
import type { CatalogueCache } from '../../catalog/cache.ts';
import { type Consent, consumeConsent } from '../../consent/consents.ts';
import { entriesForFetch } from '../../ledger/broker-entries.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { Logger } from '../../log.ts';
import type { Db } from '../../store/database.ts';
import { buildDownloadPackage } from './build-download-package.ts';
import { storeDownload } from './downloads.ts';

export interface DatasetProgress {
  dataset: string;
  agency: string | undefined;
  state: ProgressState | 'waiting';
  reason?: FailureReason;
  retryAfterSeconds?: number;
}

export interface DownloadJob {
  id: string;
  subjectKey: string;
  consentId: string;
  datasets: string[];
  progress: Map<string, DatasetProgress>;
  finished: boolean;
  download?: { token: string; expiresAt: Date; size: number };
  failure?: 'nothing_fetched' | 'build_failed';
  /** Where to send the notice after the download: memory only, never stored. */
  notify?: { to: string; lang: 'zh-TW' | 'en' };
  /** The signed consent receipt (compact JWS) the person may keep. */
  receipt?: string;
  /** Records per data set for the preview; dropped after previewMs. */
  preview?: Map<string, PackageData>;
  createdAt: Date;
}

export interface DownloadJobsDeps {
  db: Db;
  broker: Broker;
  catalogue: CatalogueCache;
  logger: Logger;
  /** How long the built package waits for its download (at most 8 h). */
  ttlMs: number;
  previewMs: number;
  ledger: Pick<Ledger, 'append'>;
  onDone?: (job: DownloadJob, outcomes: DatasetOutcome[]) => void | Promise<void>;
}

export class ConsentUnavailableError extends Error {
  override readonly name = 'ConsentUnavailableError';
}

export class DownloadJobs {
  private readonly jobs = new Map<string, DownloadJob>();
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(private readonly deps: DownloadJobsDeps) {}

  /** Starts the job; throws ConsentUnavailableError when the consent was used, revoked or expired. */
  async start(input: {
    consent: Consent;
    nationalId: string;
    password: string;
    purpose: string;
    receipt?: string;
    notify?: { to: string; lang: 'zh-TW' | 'en' };
  }): Promise<DownloadJob> {
    const consent = await consumeConsent(this.deps.db, input.consent.id);
    if (!consent) throw new ConsentUnavailableError('consent already used, revoked or expired');
    const job: DownloadJob = {
      id: randomUUID(),
      subjectKey: consent.subjectKey,
      consentId: consent.id,
      datasets: consent.datasets,
      progress: new Map(consent.datasets.map((d) => [d, { dataset: d, agency: undefined, state: 'waiting' }])),
      finished: false,
      createdAt: new Date(),
      ...(input.receipt ? { receipt: input.receipt } : {}),
      ...(input.notify ? { notify: input.notify } : {}),
    };
    this.jobs.set(job.id, job);
    const citizen = { kind: 'citizen' as const, id: consent.subjectKey };
    await this.deps.ledger.append([
      {
        action: 'consent_used',
        actor: citizen,
        subject: consent.subjectKey,
        datasets: consent.datasets,
        consent: consent.id,
        recipient: 'self',
        purpose: 'download',
      },
    ]);
    // Jobs are forgotten with their link, so this map cannot grow without bound.
    setTimeout(() => this.forget(job.id), this.deps.ttlMs).unref();
    void this.run(job, input.nationalId, input.password, input.purpose);
    return job;
  }

  /** The job if it belongs to this subject. */
  get(id: string, subjectKey: string): DownloadJob | undefined {
    const job = this.jobs.get(id);
    return job && job.subjectKey === subjectKey ? job : undefined;
  }

  /** The job that used this consent, if this process ran it. */
  byConsent(consentId: string): DownloadJob | undefined {
    for (const job of this.jobs.values()) if (job.consentId === consentId) return job;
    return undefined;
  }

  subscribe(id: string, listener: () => void): () => void {
    let set = this.listeners.get(id);
    if (!set) {
      set = new Set();
      this.listeners.set(id, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  private notify(job: DownloadJob): void {
    for (const listener of this.listeners.get(job.id) ?? []) listener();
  }

  private forget(id: string): void {
    this.jobs.delete(id);
    this.listeners.delete(id);
  }

  private async run(job: DownloadJob, nationalId: string, password: string, purpose: string): Promise<void> {
    let outcomes: DatasetOutcome[] = [];
    try {
      outcomes = await this.deps.broker.fetchAll({
        subject: nationalId,
        datasets: job.datasets,
        consentId: job.consentId,
        purpose,
        onProgress: (event) => {
          job.progress.set(event.dataset, {
            dataset: event.dataset,
            agency: event.agency,
            state: event.state,
            ...(event.reason ? { reason: event.reason } : {}),
            ...(event.retryAfterSeconds !== undefined ? { retryAfterSeconds: event.retryAfterSeconds } : {}),
          });
          this.notify(job);
        },
      });
      await this.deps.ledger.append(entriesForFetch({ subjectKey: job.subjectKey, consentId: job.consentId, purpose: 'download' }, outcomes));
      const ok = outcomes.filter((o) => o.status === 'ok');
      if (ok.length === 0) {
        job.failure = 'nothing_fetched';
      } else {
        const resolved = await Promise.all(ok.map((o) => this.deps.catalogue.resolve(o.dataset)));
        const agencies = new Map(resolved.flatMap((r) => (r ? [[r.agency.id, r.agency] as const] : [])));
        const datasets = new Map(resolved.flatMap((r) => (r ? [[r.dataset.id, r.dataset] as const] : [])));
        const ciphertext = await buildDownloadPackage({
          outcomes: ok,
          password,
          agencies,
          datasets,
          createdAt: new Date(),
          transactionLabel: job.id.slice(0, 8),
        });
        const stored = await storeDownload(this.deps.db, { subjectKey: job.subjectKey, consentId: job.consentId, ciphertext, ttlMs: this.deps.ttlMs });
        job.download = { token: stored.token, expiresAt: stored.expiresAt, size: ciphertext.byteLength };
        await this.deps.ledger.append([
          {
            action: 'package_built',
            actor: { kind: 'hub', id: 'hub' },
            subject: job.subjectKey,
            datasets: ok.map((o) => o.dataset),
            consent: job.consentId,
            recipient: 'self',
            outcome: 'ok',
          },
        ]);
        job.preview = new Map(
          ok.flatMap((o) => {
            const data = o.status === 'ok' ? o.package.files.get('data.json') : undefined;
            return data ? [[o.dataset, JSON.parse(data.toString('utf8')) as PackageData] as const] : [];
          }),
        );
        setTimeout(() => {
          job.preview = undefined;
        }, this.deps.previewMs).unref();
      }
    } catch (error) {
      this.deps.logger.error({ err: error, job: job.id }, 'download job failed');
      job.failure = 'build_failed';
    } finally {
      job.finished = true;
      this.notify(job);
    }
    await Promise.resolve(this.deps.onDone?.(job, outcomes)).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'download job follow-up failed'));
  }
}
