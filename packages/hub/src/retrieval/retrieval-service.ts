// The one path from consent to delivery, shared by every mode:
//   grant   the consent, its ledger entry and its signed receipt, committed together;
//   retrieve  consume the consent and open the retrieval (one transaction), then in the background
//             fetch every data set through the broker, record progress and every ledger entry as it
//             happens, and hand the verified agency packages to the mode's delivery.
// Progress lives in the database, so any hub process can report it; the national ID lives only in
// this process's memory while the retrieval runs. A retrieval whose process dies is failed by the
// next sweep of any process; close() lets running ones finish within a grace period.
import { randomUUID } from 'node:crypto';
import type { Broker } from '../broker/broker.ts';
import type { DatasetOutcome, ProgressEvent } from '../broker/outcome.ts';
import {
  type Consent,
  type ConsumedConsent,
  consumeConsent,
  findConsent,
  insertConsent,
  type Recipient,
  revokeConsent,
  setReceipt,
  unusedConsents,
} from '../consent/consent-repository.ts';
import type { ConsentReceiptInput } from '../ledger/consent-receipt.ts';
import type { LedgerEntryInput } from '../ledger/entry.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/database.ts';
import type { Delivered, Delivery, VerifiedOutcome } from './delivery.ts';
import * as entries from './ledger-entries.ts';
import type { ProgressFeed, ProgressSnapshot } from './progress-feed.ts';
import {
  claimStale,
  type DatasetProgress,
  FINAL_STATES,
  failUnfinishedDatasets,
  findRetrieval,
  finishRetrieval,
  heartbeat,
  insertRetrieval,
  purgeRetrievals,
  type RetrievalFailure,
  type RetrievalView,
  staleRetrievals,
  updateDataset,
} from './retrieval-repository.ts';

export interface RetrievalDeps {
  db: Db;
  ledger: Pick<Ledger, 'commit'>;
  broker: Pick<Broker, 'fetchAll'>;
  subjectKey: (nationalId: string) => string;
  signReceipt: (input: ConsentReceiptInput) => Promise<{ receiptId: string; jws: string }>;
  feed: ProgressFeed;
  logger: Logger;
  /** This hub process, the owner of the retrievals it runs. */
  instanceId: string;
  now?: () => Date;
  /** How often this process says it is still running its retrievals. Default 10 s. */
  heartbeatMs?: number;
  /** A running retrieval not heard of for this long belongs to a dead process. Default 60 s. */
  staleAfterMs?: number;
  /** How long a retrieval's progress row is kept after it starts (the ledger keeps the history). Default 24 h. */
  keepMs?: number;
}

export interface GrantInput {
  subjectKey: string;
  /** The data sets, with the category each receipt lists. */
  datasets: ReadonlyArray<{ id: string; category: string }>;
  recipient: Recipient;
  /** Why, as the person read it; written to the ledger and the receipt (never personal data). */
  purpose: string;
  /** Who receives the data, as the receipt names them. */
  controller: { 'zh-TW': string; en: string };
  validForMs: number;
  language?: 'zh-TW' | 'en';
}

export interface RetrieveInput {
  consentId: string;
  /** From the person's session, in memory only; must belong to the consent's subject. */
  nationalId: string;
  delivery: Delivery;
  /** Seals what a later step needs (the notice address) under a key the recipient holds. */
  seal?: (retrievalId: string) => string | undefined;
  /** Told once the retrieval has ended, on this process. */
  onFinished?: (view: RetrievalView) => void | Promise<void>;
  /** Live progress for an observer in this process (a terminal); pages follow the database instead. */
  onProgress?: (event: ProgressEvent) => void;
}

/** The consent was used, revoked, expired, or is not this person's. */
export class ConsentUnavailableError extends Error {
  override readonly name = 'ConsentUnavailableError';
}

/** The hub is shutting down and starts no new retrievals. */
export class RetrievalClosedError extends Error {
  override readonly name = 'RetrievalClosedError';
}

interface Running {
  id: string;
  controller: AbortController;
  done: Promise<void>;
}

export class RetrievalService {
  private readonly running = new Map<string, Running>();
  private readonly now: () => Date;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly deps: RetrievalDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Records the consent, its ledger entry and its signed receipt together. */
  async grant(input: GrantInput): Promise<Consent> {
    const id = randomUUID();
    const createdAt = this.now();
    const expiresAt = new Date(createdAt.getTime() + input.validForMs);
    const receipt = await this.deps.signReceipt({
      consentId: id,
      subjectKey: input.subjectKey,
      controller: { id: input.recipient.id, name: input.controller },
      purposes: [input.purpose],
      datasets: input.datasets.map((d) => ({ id: d.id, category: d.category })),
      consentedAt: createdAt,
      expiresAt,
      ...(input.language ? { language: input.language } : {}),
    });
    return this.deps.ledger.commit(async (trx) => {
      const consent = await insertConsent(
        trx,
        {
          id,
          subjectKey: input.subjectKey,
          datasets: input.datasets.map((d) => d.id),
          recipient: input.recipient,
          purpose: input.purpose,
          validForMs: input.validForMs,
        },
        createdAt,
      );
      await setReceipt(trx, id, receipt.jws);
      consent.receipt = receipt.jws;
      return { entries: [entries.consentGranted(consent)], value: consent };
    });
  }

  /** An operator's authorisation to read a person's records (npm run fetch): named, with a reason, in the ledger. */
  async authorizeOperator(input: { operator: string; reason: string; subjectKey: string; datasets: readonly string[] }): Promise<Consent> {
    return this.deps.ledger.commit(async (trx) => {
      const consent = await insertConsent(
        trx,
        {
          subjectKey: input.subjectKey,
          datasets: input.datasets,
          recipient: { kind: 'operator', id: input.operator },
          purpose: input.reason,
          validForMs: 60_000,
        },
        this.now(),
      );
      return { entries: [entries.operatorAuthorised(consent)], value: consent };
    });
  }

  /** The person withdraws an unused consent; false when it is used, expired or not theirs. */
  async revoke(consentId: string, subjectKey: string): Promise<boolean> {
    return this.deps.ledger.commit(async (trx) => {
      const ok = await revokeConsent(trx, consentId, subjectKey, this.now());
      return { entries: ok ? [entries.consentRevoked({ id: consentId, subjectKey })] : [], value: ok };
    });
  }

  /** The person said no on a consent screen: nothing is granted, the refusal is in their history. */
  async deny(input: { subjectKey: string; datasets: readonly string[]; recipient: Recipient; purpose: string }): Promise<void> {
    await this.deps.ledger.commit(async () => ({
      entries: [entries.consentDenied(input.subjectKey, input.datasets, input.recipient.id, input.purpose)],
      value: undefined,
    }));
  }

  subjectKeyOf(nationalId: string): string {
    return this.deps.subjectKey(nationalId);
  }

  /** Follows a retrieval's progress from the database (any process may be running it). */
  watch(retrievalId: string, listener: (snapshot: ProgressSnapshot) => void): () => void {
    return this.deps.feed.watch(retrievalId, listener);
  }

  unusedConsents(subjectKey: string): Promise<Consent[]> {
    return unusedConsents(this.deps.db, subjectKey, this.now());
  }

  findConsent(id: string): Promise<Consent | undefined> {
    return findConsent(this.deps.db, id);
  }

  find(retrievalId: string): Promise<RetrievalView | undefined> {
    return findRetrieval(this.deps.db, retrievalId);
  }

  /**
   * Consumes the consent and opens the retrieval in one transaction, then runs it in the background.
   * Throws ConsentUnavailableError when the consent cannot be used (nothing is written then).
   */
  async retrieve(input: RetrieveInput): Promise<{ retrievalId: string; consent: ConsumedConsent; done: Promise<void> }> {
    if (this.closing) throw new RetrievalClosedError('the hub is shutting down');
    const subjectKey = this.deps.subjectKey(input.nationalId);
    const retrievalId = randomUUID();
    const now = this.now();
    const consent = await this.deps.ledger.commit(async (trx) => {
      const used = await consumeConsent(trx, input.consentId, now);
      // Thrown inside the transaction: a consent of someone else is left exactly as it was.
      if (!used || used.subjectKey !== subjectKey) throw new ConsentUnavailableError('consent already used, revoked, expired or not this person’s');
      if (used.recipient.kind !== input.delivery.recipient)
        throw new TypeError(`a ${used.recipient.kind} consent cannot feed a ${input.delivery.recipient} delivery`);
      await insertRetrieval(
        trx,
        {
          id: retrievalId,
          consentId: used.id,
          subjectKey,
          recipient: used.recipient,
          datasets: used.datasets,
          owner: this.deps.instanceId,
          expiresAt: new Date(now.getTime() + (this.deps.keepMs ?? 24 * 3600_000)),
          sealedNotice: input.seal?.(retrievalId),
        },
        now,
      );
      return { entries: [entries.consentUsed(used)], value: used };
    });
    const controller = new AbortController();
    const running: Running = { id: retrievalId, controller, done: Promise.resolve() };
    running.done = this.run(retrievalId, consent, input, controller.signal).finally(() => {
      this.running.delete(retrievalId);
    });
    this.running.set(retrievalId, running);
    this.startHeartbeat();
    return { retrievalId, consent, done: running.done };
  }

  /** Retrievals this process is running now. */
  get active(): number {
    return this.running.size;
  }

  /** Fails retrievals whose process stopped answering, and purges old progress rows. */
  async sweep(): Promise<number> {
    const now = this.now();
    const cutoff = new Date(now.getTime() - (this.deps.staleAfterMs ?? 60_000));
    let failed = 0;
    for (const { id } of await staleRetrievals(this.deps.db, cutoff)) {
      const won = await this.deps.ledger.commit(async (trx) => {
        if (!(await claimStale(trx, id, cutoff, now))) return { entries: [], value: false };
        return { entries: await this.interruptedEntries(trx, id, now), value: true };
      });
      if (won) {
        failed += 1;
        this.deps.feed.changed(id);
        this.deps.logger.warn({ retrieval: id }, 'retrieval of a stopped hub process marked failed');
      }
    }
    await purgeRetrievals(this.deps.db, now);
    return failed;
  }

  /**
   * Stops taking retrievals, lets running ones finish for up to graceMs, then stops the rest: their
   * unfinished data sets are failed (hub_interrupted) so the person can ask again.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const all = () => Promise.allSettled([...this.running.values()].map((r) => r.done));
    if (this.running.size > 0) {
      const waited = await within(all(), graceMs);
      if (!waited) {
        this.deps.logger.warn({ retrievals: this.running.size }, 'stopping retrievals still under way at shutdown');
        for (const r of this.running.values()) r.controller.abort();
        // The broker stops at once on abort; recording the interruption takes a few queries.
        await within(all(), 10_000);
      }
    }
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private startHeartbeat(): void {
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => {
      if (this.running.size === 0) return;
      heartbeat(this.deps.db, this.deps.instanceId, this.now()).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'retrieval heartbeat failed'));
    }, this.deps.heartbeatMs ?? 10_000);
    this.heartbeatTimer.unref();
  }

  private async run(id: string, consent: ConsumedConsent, input: RetrieveInput, signal: AbortSignal): Promise<void> {
    const lanes = new Lanes((error) => this.deps.logger.error({ err: error, retrieval: id }, 'recording retrieval progress failed'));
    const requested = new Set<string>();
    let outcomes: DatasetOutcome[] = [];
    let failure: RetrievalFailure | undefined;
    let delivered: Delivered | undefined;
    try {
      outcomes = await this.deps.broker.fetchAll({
        consent,
        nationalId: input.nationalId,
        signal,
        onProgress: (event) => {
          const first = event.state === 'requesting' && !requested.has(event.dataset);
          if (first) requested.add(event.dataset);
          lanes.push(event.dataset, () => this.record(id, consent, event, first));
          input.onProgress?.(event);
        },
      });
      await lanes.drain();
      if (signal.aborted) failure = 'interrupted';
      else {
        const packages = outcomes.filter((o): o is VerifiedOutcome => o.status === 'ok');
        delivered = await input.delivery.accept({ retrievalId: id, consent, outcomes, packages });
        if (!delivered) failure = 'nothing_fetched';
      }
    } catch (error) {
      this.deps.logger.error({ err: error, retrieval: id }, 'retrieval failed');
      failure = signal.aborted ? 'interrupted' : 'delivery_failed';
      await lanes.drain();
    }
    try {
      await this.deps.ledger.commit(async (trx) => {
        const now = this.now();
        const ended = await finishRetrieval(trx, id, failure ? { status: 'failed', failure } : { status: 'done', deliveryRef: delivered?.reference }, now);
        if (!ended) return { entries: [], value: undefined };
        const extra = failure === 'interrupted' ? await this.interruptedEntries(trx, id, now) : [];
        return { entries: [...extra, ...(failure ? [] : (delivered?.entries ?? []))], value: undefined };
      });
    } catch (error) {
      this.deps.logger.error({ err: error, retrieval: id }, 'recording the end of a retrieval failed');
    }
    this.deps.feed.changed(id);
    if (input.onFinished) {
      const view = await this.find(id).catch(() => undefined);
      if (view)
        await Promise.resolve(input.onFinished(view)).catch((error: unknown) =>
          this.deps.logger.warn({ err: error, retrieval: id }, 'retrieval follow-up failed'),
        );
    }
  }

  /** One progress event: its row, and for a first request or a final state its ledger entry, together. */
  private async record(id: string, consent: ConsumedConsent, event: ProgressEvent, firstRequest: boolean): Promise<void> {
    const progress: DatasetProgress = {
      dataset: event.dataset,
      agency: event.agency,
      state: event.state,
      reason: event.reason,
      retryAfterSeconds: event.retryAfterSeconds,
    };
    const final = FINAL_STATES.has(event.state);
    const toLedger: LedgerEntryInput[] = [];
    if (firstRequest) toLedger.push(entries.agencyRequest(consent, event));
    // A data set that never reached an agency (unknown, subject refused) still gets its outcome.
    if (final) toLedger.push(entries.agencyOutcome(consent, event.dataset, event.agency, event.state === 'failed' ? (event.reason ?? 'failed') : event.state));
    if (toLedger.length === 0) await updateDataset(this.deps.db, id, progress, this.now());
    else
      await this.deps.ledger.commit(async (trx) => {
        await updateDataset(trx, id, progress, this.now());
        return { entries: toLedger, value: undefined };
      });
    this.deps.feed.changed(id);
  }

  private async interruptedEntries(trx: Db, id: string, now: Date): Promise<LedgerEntryInput[]> {
    const view = await findRetrieval(trx, id);
    const consent = view ? await findConsent(trx, view.consentId) : undefined;
    const unfinished = await failUnfinishedDatasets(trx, id, 'hub_interrupted', now);
    if (!view || !consent) return [];
    const agencyOf = new Map(view.datasets.map((d) => [d.dataset, d.agency]));
    return unfinished.map((dataset) => entries.agencyOutcome(consent, dataset, agencyOf.get(dataset), 'hub_interrupted'));
  }
}

/** True when the promise settled within ms. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Writes per data set in order (a request's entry before its outcome), data sets in parallel. */
class Lanes {
  private readonly tails = new Map<string, Promise<void>>();
  constructor(private readonly onError: (error: unknown) => void) {}

  push(lane: string, task: () => Promise<void>): void {
    const tail = (this.tails.get(lane) ?? Promise.resolve()).then(task).catch(this.onError);
    this.tails.set(lane, tail);
  }

  async drain(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
