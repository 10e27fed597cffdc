// POST /v1/packages: the hub asks for one data set about one person; the agency answers with a signed package.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyResolver, RequestClaims } from '@openmydata/protocol';
import { buildPackage } from './build-package.ts';
import { checkRecords, InvalidRecordsError } from './check-records.ts';
import { ProviderError } from './errors.ts';
import { drainBody, sendEmpty, sendJson, sendPackage, sendProblem } from './http.ts';
import type { KeyRing } from './key-ring.ts';
import { PreparationStore, type PreparationOutcome } from './preparation-store.ts';
import { redactError } from './redact.ts';
import type { ReplayStore } from './replay-store.ts';
import { checkMaintenance } from './steps/check-maintenance.ts';
import { checkSubject } from './steps/check-subject.ts';
import { rejectReplay } from './steps/reject-replay.ts';
import { requireBearer } from './steps/require-bearer.ts';
import { resolveDataset } from './steps/resolve-dataset.ts';
import { verifyToken } from './steps/verify-token.ts';
import type { DatasetHandler, LocalizedText, Logger } from './types.ts';

export interface PackageEndpointDeps {
  agency: { id: string; name: LocalizedText };
  datasets: ReadonlyMap<string, DatasetHandler>;
  hubIssuer: string;
  hubKeys: KeyResolver;
  replayStore: ReplayStore;
  maintenance: (now: Date) => number | null;
  preparations: PreparationStore;
  keyRing: KeyRing;
  now: () => Date;
  clockToleranceSeconds: number;
  logger: Logger;
}

/** What the request log line may hold: ids and outcomes, never the subject or a record. */
interface RequestLog {
  status?: number;
  code?: string;
  dataset?: string;
  txn?: string;
  jti?: string;
  prepared?: 'started' | 'waiting' | 'collected' | 'redelivered';
}

export async function handlePackageRequest(req: IncomingMessage, res: ServerResponse, deps: PackageEndpointDeps): Promise<void> {
  const started = performance.now();
  const log: RequestLog = {};
  let subject: string | undefined;
  try {
    await drainBody(req);
    const now = deps.now();
    // The security checks, in order; each throws a ProviderError with its stable code.
    const token = requireBearer(req.headers.authorization);
    const claims = await verifyToken(token, {
      hubKeys: deps.hubKeys,
      issuer: deps.hubIssuer,
      agencyId: deps.agency.id,
      now,
      clockToleranceSeconds: deps.clockToleranceSeconds,
    });
    Object.assign(log, { dataset: claims.dataset, txn: claims.txn, jti: claims.jti });
    await rejectReplay(claims, deps.replayStore, deps.clockToleranceSeconds);
    const dataset = resolveDataset(claims, deps.datasets);
    subject = checkSubject(claims);
    checkMaintenance(deps.maintenance, now);
    await deliver(res, dataset, subject, claims, deps, log);
  } catch (error) {
    if (error instanceof ProviderError) {
      log.code = error.code;
      if (error.code === 'hub_keys_unavailable') deps.logger.warn({ ...log, err: redactError(error.cause, subject) }, 'hub keys unavailable');
      // body_too_large carries Connection: close, so node drops the rest of the upload after answering.
      if (!res.headersSent) sendProblem(res, error);
    } else {
      log.code = 'internal_error';
      deps.logger.error({ ...log, err: redactError(error, subject) }, 'package request failed');
      if (!res.headersSent) sendProblem(res, new ProviderError('internal_error'));
      else res.destroy();
    }
  } finally {
    log.status = res.statusCode;
    deps.logger.info({ ...log, ms: Math.round(performance.now() - started) }, 'package request');
  }
}

async function deliver(
  res: ServerResponse,
  dataset: DatasetHandler,
  subject: string,
  claims: RequestClaims,
  deps: PackageEndpointDeps,
  log: RequestLog,
): Promise<void> {
  const binding = deps.preparations.bind(subject, claims.dataset, claims.consent_id);
  const preparation = deps.preparations.get(claims.txn);
  if (preparation && !PreparationStore.sameBinding(preparation.binding, binding)) throw new ProviderError('transaction_mismatch');

  if (dataset.preparationSeconds === undefined) {
    return respond(res, await produce(dataset, subject, claims, deps));
  }

  const now = deps.now().getTime();
  if (!preparation) {
    const readyAt = now + dataset.preparationSeconds * 1000;
    deps.preparations.start(claims.txn, binding, readyAt, () => produceOutcome(dataset, subject, claims, deps, log));
    log.prepared = 'started';
    return accepted(res, dataset.preparationSeconds);
  }
  if (preparation.outcome === undefined || now < preparation.readyAt) {
    log.prepared = 'waiting';
    return accepted(res, (preparation.readyAt - now) / 1000);
  }
  if (preparation.outcome.kind === 'failed') {
    // Nothing to hand out again: a retry of this transaction starts the work afresh.
    deps.preparations.forget(claims.txn);
    log.prepared = 'collected';
    throw new ProviderError('internal_error');
  }
  // The same bytes again for a retry whose first answer was lost, until the re-delivery window ends.
  log.prepared = deps.preparations.delivered(claims.txn) ? 'collected' : 'redelivered';
  return respond(res, preparation.outcome);
}

function respond(res: ServerResponse, outcome: PreparationOutcome): void {
  if (outcome.kind === 'package') sendPackage(res, outcome.zip);
  else if (outcome.kind === 'empty') sendEmpty(res, 204);
  else throw new ProviderError('internal_error');
}

function accepted(res: ServerResponse, seconds: number): void {
  const retryAfter = Math.max(1, Math.ceil(seconds));
  sendJson(res, 202, { status: 'preparing', retry_after: retryAfter }, { 'Retry-After': String(retryAfter) });
}

/** Runs the agency's fetch and signs what it returns. Throws on failure (logged by the caller). */
async function produce(dataset: DatasetHandler, subject: string, claims: RequestClaims, deps: PackageEndpointDeps): Promise<PreparationOutcome> {
  const result = checkRecords(
    await dataset.fetch(subject, { dataset: claims.dataset, consentId: claims.consent_id, purpose: claims.purpose, transactionId: claims.txn }),
  );
  if (result === null) return { kind: 'empty' };
  const zip = await buildPackage({
    agency: deps.agency,
    dataset,
    records: result.records,
    transactionId: claims.txn,
    consentId: claims.consent_id,
    createdAt: deps.now(),
    keyRing: deps.keyRing,
  });
  return { kind: 'package', zip };
}

/** produce() for background preparation: failures are logged here, as no request is waiting on them. */
async function produceOutcome(
  dataset: DatasetHandler,
  subject: string,
  claims: RequestClaims,
  deps: PackageEndpointDeps,
  log: RequestLog,
): Promise<PreparationOutcome> {
  try {
    return await produce(dataset, subject, claims, deps);
  } catch (error) {
    deps.logger.error(
      { dataset: log.dataset, txn: log.txn, err: redactError(error, subject), invalidRecords: error instanceof InvalidRecordsError },
      'package preparation failed',
    );
    return { kind: 'failed' };
  }
}
