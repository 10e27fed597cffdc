// The broker fetches data sets from their agencies in parallel and verifies every package before
// anything else may use it. Packages stay in memory; this module never touches the disk.
import { checkPersonIdentifier, type KeyResolver, newTransactionId, PACKAGE_PATHS, PackageError, verifyPackage } from '@openmydata/protocol';
import type { Agency, Dataset } from '../catalog/repository.ts';
import type { ConsumedConsent } from '../consent/consent-repository.ts';
import { requestPackage, type Exchange } from './agency-client.ts';
import { AgencyQueue } from './agency-queue.ts';
import { checkRecords, RecordsError } from './check-records.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import type { DatasetOutcome, FailedOutcome, FailureReason, OutcomeBase, ProgressEvent } from './outcome.ts';

export interface BrokerOptions {
  timeoutMs: number;
  maxAttempts: number;
  maxPreparationSeconds: number;
  maxPackageBytes: number;
  /** First retry delay; doubles per attempt, with jitter. */
  backoffMs?: number;
  breakerFailureThreshold?: number;
  breakerOpenMs?: number;
  /** Exchanges in flight to one agency from this process (default 8); the rest wait in order. */
  agencyConcurrency?: number;
  /** Requests waiting for one agency beyond which more are refused at once (default 500). */
  agencyQueue?: number;
}

export interface BrokerDeps {
  /** Looks up a data set and its agency; undefined when not registered. */
  resolve(datasetId: string): Promise<{ dataset: Dataset; agency: Agency } | undefined>;
  /** Signs a Provider API request token with the hub's current key. */
  signRequest(input: { audience: string; subject: string; dataset: string; consentId: string; purpose: string; transactionId: string }): Promise<string>;
  /** Verification keys for an agency (its published JWKS). */
  agencyKeys(agency: Agency): KeyResolver;
  /** Waits ms, or less when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface FetchRequest {
  /** The consent this fetch uses up: its data sets, purpose and id travel to the agencies. */
  consent: ConsumedConsent;
  /** The person's national ID, from memory only (the retrieval checks it against the consent). */
  nationalId: string;
  /** Wait for agencies that are preparing (default). When false, answer 'preparing' at once. */
  waitForPreparation?: boolean;
  /** Transaction ids of earlier 'preparing' outcomes, by data set: asks again for the same package. */
  transactions?: Readonly<Record<string, string>>;
  onProgress?: (event: ProgressEvent) => void;
  /** Stops waiting and retrying when the hub shuts down; unfinished data sets report hub_interrupted. */
  signal?: AbortSignal;
}

/** What fetchOne needs from the request, after the consent has been checked. */
interface Fetch {
  subject: string;
  consentId: string;
  purpose: string;
  request: FetchRequest;
}

// An agency that says "now" or says nothing is still polled at most once a second, backing off.
const MIN_POLL_MS = 1000;
const MAX_POLL_MS = 60_000;
const MAX_UNHINTED_POLL_MS = 30_000;
// Less time than this before the deadline, and a request is not worth sending.
const MIN_EXCHANGE_MS = 1000;

export class Broker {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly queues = new Map<string, AgencyQueue>();
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    private readonly deps: BrokerDeps,
    private readonly options: BrokerOptions,
  ) {
    this.sleep = deps.sleep ?? abortableSleep;
  }

  /** One outcome per distinct data set of the consent, in its order. Never throws for an agency's fault. */
  async fetchAll(request: FetchRequest): Promise<DatasetOutcome[]> {
    const { consent } = request;
    if (consent.status !== 'used') throw new TypeError('the broker fetches only under a consumed consent');
    const ids = [...new Set(consent.datasets)];
    const subject = checkPersonIdentifier(request.nationalId);
    if (!subject.ok) {
      return ids.map((dataset) => failed(base(dataset, undefined, undefined, 0, Date.now()), 'subject_invalid', `national ID ${subject.reason} check failed`));
    }
    const fetch: Fetch = { subject: subject.value, consentId: consent.id, purpose: consent.purpose, request };
    return Promise.all(ids.map((id) => this.fetchOne(id, fetch)));
  }

  breakerState(agencyId: string): string {
    return this.breakers.get(agencyId)?.state ?? 'closed';
  }

  /** Exchanges this process has in flight to an agency, and requests waiting for it. */
  agencyLoad(agencyId: string): { inFlight: number; queued: number } {
    return this.queues.get(agencyId)?.load ?? { inFlight: 0, queued: 0 };
  }

  private queue(agencyId: string): AgencyQueue {
    let queue = this.queues.get(agencyId);
    if (!queue) {
      queue = new AgencyQueue(this.options.agencyConcurrency ?? 8, this.options.agencyQueue ?? 500);
      this.queues.set(agencyId, queue);
    }
    return queue;
  }

  private breaker(agencyId: string): CircuitBreaker {
    let breaker = this.breakers.get(agencyId);
    if (!breaker) {
      breaker = new CircuitBreaker({ failureThreshold: this.options.breakerFailureThreshold ?? 5, openMs: this.options.breakerOpenMs ?? 30_000 });
      this.breakers.set(agencyId, breaker);
    }
    return breaker;
  }

  private async fetchOne(datasetId: string, fetch: Fetch): Promise<DatasetOutcome> {
    const { request } = fetch;
    const started = Date.now();
    const found = await this.deps.resolve(datasetId);
    if (!found) return this.finish(request, failed(base(datasetId, undefined, undefined, 0, started), 'dataset_unknown', 'not in the catalogue'));
    const { agency, dataset } = found;
    const resumed = request.transactions?.[dataset.id];
    const transactionId = resumed && /^[A-Za-z0-9_-]{16,128}$/.test(resumed) ? resumed : newTransactionId();
    const deadline = started + this.options.maxPreparationSeconds * 1000;
    const breaker = this.breaker(agency.id);
    const progress = (state: ProgressEvent['state'], attempt: number, extra: Partial<ProgressEvent> = {}) =>
      emit(request, { dataset: dataset.id, agency: agency.id, state, attempt, ...extra });
    let requests = 0;
    let failures = 0;
    let polls = 0;
    let busy = 0;
    const at = () => base(dataset.id, agency.id, transactionId, requests, started);
    const queue = this.queue(agency.id);
    // Out of time before the agency could be asked: still preparing, or kept waiting by the load.
    const outOfTime = (detail: string) => this.finish(request, failed(at(), polls > 0 ? 'preparation_timeout' : 'agency_busy', detail));

    for (;;) {
      if (request.signal?.aborted) return this.finish(request, failed(at(), 'hub_interrupted', 'the hub stopped'));
      // An open circuit fails at once rather than after a wait in the queue.
      if (breaker.state === 'open') return this.finish(request, failed(at(), 'agency_unavailable', 'circuit open after repeated failures'));
      const slot = await queue.acquire(deadline, request.signal);
      if (!slot.ok) {
        if (slot.why === 'aborted') return this.finish(request, failed(at(), 'hub_interrupted', 'the hub stopped'));
        return outOfTime(
          slot.why === 'full' ? "the hub's queue for this agency is full" : `still queued for the agency after ${this.options.maxPreparationSeconds} s`,
        );
      }
      let exchange: Exchange;
      // The exchange's own timeout starts now that it has a slot, and never runs past the deadline.
      const remaining = deadline - Date.now();
      const timeoutMs = Math.min(this.options.timeoutMs, remaining);
      if (timeoutMs < Math.min(this.options.timeoutMs, MIN_EXCHANGE_MS)) {
        // A slot with hardly any time left: asking now would only hand the agency wasted work.
        slot.release();
        return outOfTime(`no time left for the agency within ${this.options.maxPreparationSeconds} s`);
      }
      try {
        if (!breaker.tryAcquire()) return this.finish(request, failed(at(), 'agency_unavailable', 'circuit open after repeated failures'));
        try {
          progress('requesting', requests + 1);
          const token = await this.deps.signRequest({
            audience: agency.id,
            subject: fetch.subject,
            dataset: dataset.id,
            consentId: fetch.consentId,
            purpose: fetch.purpose,
            transactionId,
          });
          requests += 1;
          exchange = await requestPackage(agency.baseUrl, token, {
            timeoutMs,
            maxBytes: this.options.maxPackageBytes,
            ...(request.signal ? { signal: request.signal } : {}),
          });
        } catch {
          // Our own failure (signing, say), not the agency's: free the breaker's trial and stop.
          breaker.release();
          return this.finish(request, failed(at(), 'hub_error', 'the hub could not send the request'));
        }
      } finally {
        slot.release();
      }
      if (request.signal?.aborted) {
        breaker.release();
        return this.finish(request, failed(at(), 'hub_interrupted', 'the hub stopped'));
      }
      if (exchange.kind === 'timeout' && timeoutMs < this.options.timeoutMs) {
        // Cut short by our deadline, not slow by the agency's own measure: not held against it.
        breaker.release();
        return this.finish(request, failed(at(), 'agency_timeout', 'no answer before the deadline'));
      }
      if (exchange.kind === 'busy') {
        // The agency shed this request unread: neither its failure nor a sign of health.
        breaker.release();
        busy += 1;
        const waitMs = pollDelay(exchange.retryAfterSeconds, busy);
        if (request.waitForPreparation === false) return this.finish(request, { ...at(), status: 'preparing', retryAfterSeconds: waitMs / 1000 });
        if (Date.now() + waitMs > deadline) return outOfTime(`the agency was still busy after ${this.options.maxPreparationSeconds} s`);
        progress('retrying', requests, { retryAfterSeconds: waitMs / 1000 });
        await this.pause(waitMs, request.signal);
        continue;
      }
      const transient = transientFailure(exchange);
      if (transient) {
        breaker.recordFailure();
        failures += 1;
        const retryAfter = 'retryAfterSeconds' in exchange ? exchange.retryAfterSeconds : undefined;
        if (failures >= this.options.maxAttempts) return this.finish(request, failed(at(), transient.reason, transient.detail));
        const delay = retryAfter !== undefined ? clampPoll(retryAfter * 1000) : this.backoff(failures);
        if (Date.now() + delay > deadline) return this.finish(request, failed(at(), transient.reason, transient.detail));
        progress('retrying', requests, { retryAfterSeconds: delay / 1000 });
        await this.pause(delay, request.signal);
        continue;
      }
      breaker.recordSuccess();
      switch (exchange.kind) {
        case 'package':
          progress('verifying', requests);
          return this.finish(request, await this.verify(exchange.body, agency, dataset, fetch.consentId, transactionId, at));
        case 'no_data':
          return this.finish(request, { ...at(), status: 'no_data' });
        case 'preparing': {
          polls += 1;
          const waitMs = pollDelay(exchange.retryAfterSeconds, polls);
          if (request.waitForPreparation === false) {
            return this.finish(request, { ...at(), status: 'preparing', retryAfterSeconds: waitMs / 1000 });
          }
          if (Date.now() + waitMs > deadline)
            return this.finish(request, failed(at(), 'preparation_timeout', `not ready within ${this.options.maxPreparationSeconds} s`));
          progress('preparing', requests, { retryAfterSeconds: waitMs / 1000 });
          await this.pause(waitMs, request.signal);
          continue;
        }
        case 'maintenance':
          return this.finish(request, {
            ...failed(at(), 'agency_maintenance', 'scheduled maintenance'),
            ...(exchange.retryAfterSeconds !== undefined ? { retryAfterSeconds: Math.ceil(exchange.retryAfterSeconds) } : {}),
          });
        case 'rejected':
          return this.finish(request, {
            ...failed(at(), exchange.code === 'subject_invalid' ? 'subject_invalid' : 'agency_rejected', `agency answered ${exchange.status}`),
            ...(exchange.code ? { code: exchange.code } : {}),
          });
        case 'too_large':
          return this.finish(request, failed(at(), 'package_too_large', `over ${this.options.maxPackageBytes} bytes`));
        case 'bad_response':
          return this.finish(request, failed(at(), 'agency_bad_response', exchange.detail));
        default:
          return this.finish(request, failed(at(), 'agency_error', 'unexpected answer'));
      }
    }
  }

  private async verify(
    archive: Buffer,
    agency: Agency,
    dataset: Dataset,
    consentId: string,
    transactionId: string,
    at: () => OutcomeBase,
  ): Promise<DatasetOutcome> {
    try {
      const verified = await verifyPackage(archive, {
        keys: this.deps.agencyKeys(agency),
        expect: { agency: agency.id, dataset: dataset.id, transactionId, consentId },
        limits: {
          maxEntries: 32,
          maxEntryBytes: this.options.maxPackageBytes * 4,
          maxTotalBytes: this.options.maxPackageBytes * 8,
          maxCompressionRatio: 100,
          ratioFloorBytes: 64 * 1024,
        },
      });
      // Signed by the agency is not enough: the records must be what the registry says the data set holds.
      checkRecords(verified.files.get(PACKAGE_PATHS.data), dataset.fields);
      return { ...at(), status: 'ok', archive, package: verified };
    } catch (error) {
      if (error instanceof PackageError) return { ...failed(at(), 'package_invalid', error.message), code: error.code };
      if (error instanceof RecordsError) return { ...failed(at(), 'package_invalid', error.message), code: error.code };
      return failed(at(), 'agency_keys_unavailable', 'the JWKS could not be fetched');
    }
  }

  /** Waits, but not past a shutdown: the loop then sees the signal and stops. */
  private pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return signal?.aborted ? Promise.resolve() : this.sleep(ms, signal);
  }

  private backoff(failures: number): number {
    const base = (this.options.backoffMs ?? 200) * 2 ** (failures - 1);
    return Math.round(base / 2 + Math.random() * base);
  }

  private finish(request: FetchRequest, outcome: DatasetOutcome): DatasetOutcome {
    if (outcome.status !== 'preparing') {
      emit(request, {
        dataset: outcome.dataset,
        agency: outcome.agency,
        state: outcome.status,
        attempt: outcome.requests,
        ...(outcome.status === 'failed' ? { reason: outcome.reason } : {}),
      });
    }
    return outcome;
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Progress is for the caller's display; a failing display must not break a fetch. */
function emit(request: FetchRequest, event: ProgressEvent): void {
  try {
    request.onProgress?.(event);
  } catch {
    // ignored on purpose
  }
}

/** How long to wait before asking a preparing agency again. */
function pollDelay(retryAfterSeconds: number | undefined, polls: number): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 1) return clampPoll(retryAfterSeconds * 1000);
  return clampPoll(Math.min(MAX_UNHINTED_POLL_MS, MIN_POLL_MS * 2 ** Math.min(polls - 1, 5)));
}

function transientFailure(exchange: Exchange): { reason: FailureReason; detail: string } | undefined {
  if (exchange.kind === 'timeout') return { reason: 'agency_timeout', detail: 'no answer in time' };
  if (exchange.kind === 'unreachable') return { reason: 'agency_unavailable', detail: 'connection failed' };
  if (exchange.kind === 'server_error') return { reason: 'agency_error', detail: `agency answered ${exchange.status}` };
  return undefined;
}

function clampPoll(ms: number): number {
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, ms));
}

function base(dataset: string, agency: string | undefined, transactionId: string | undefined, requests: number, started: number): OutcomeBase {
  return { dataset, agency, transactionId, requests, elapsedMs: Date.now() - started };
}

function failed(at: OutcomeBase, reason: FailureReason, detail: string): FailedOutcome {
  return { ...at, status: 'failed', reason, detail };
}
