// Retrievals and their per-data-set progress in the database (Kysely, both engines). No personal
// data: subject keys, ids, state codes and ciphertext sealed under a key the person's session holds.
import type { Db } from '../store/database.ts';
import type { RetrievalDatasetTable, RetrievalTable } from '../store/schema.ts';
import type { Recipient } from '../consent/consent-repository.ts';

export type RetrievalStatus = RetrievalTable['status'];

/** Why a retrieval ended without a delivery. */
export type RetrievalFailure = 'nothing_fetched' | 'delivery_failed' | 'interrupted';

export type DatasetState = 'waiting' | 'requesting' | 'preparing' | 'retrying' | 'verifying' | 'ok' | 'no_data' | 'failed';

export const FINAL_STATES: ReadonlySet<DatasetState> = new Set(['ok', 'no_data', 'failed']);

export interface DatasetProgress {
  dataset: string;
  agency: string | undefined;
  state: DatasetState;
  reason: string | undefined;
  retryAfterSeconds: number | undefined;
}

/** Everything a page or an API may show about a retrieval. */
export interface RetrievalView {
  id: string;
  consentId: string;
  subjectKey: string;
  recipient: Recipient;
  status: RetrievalStatus;
  failure: RetrievalFailure | undefined;
  deliveryRef: string | undefined;
  createdAt: Date;
  finishedAt: Date | undefined;
  deliveredAt: Date | undefined;
  datasets: DatasetProgress[];
  sealedPreview: string | undefined;
  previewExpiresAt: Date | undefined;
  sealedNotice: string | undefined;
}

export interface NewRetrieval {
  id: string;
  consentId: string;
  subjectKey: string;
  recipient: Recipient;
  datasets: readonly string[];
  owner: string;
  expiresAt: Date;
  sealedNotice?: string | undefined;
}

export async function insertRetrieval(db: Db, input: NewRetrieval, now: Date): Promise<void> {
  const stamp = now.toISOString();
  await db
    .insertInto('retrievals')
    .values({
      id: input.id,
      consent_id: input.consentId,
      subject_key: input.subjectKey,
      recipient_kind: input.recipient.kind,
      recipient_id: input.recipient.id,
      status: 'running',
      failure: null,
      delivery_ref: null,
      owner: input.owner,
      heartbeat_at: stamp,
      created_at: stamp,
      finished_at: null,
      delivered_at: null,
      expires_at: input.expiresAt.toISOString(),
      sealed_preview: null,
      preview_expires_at: null,
      sealed_notice: input.sealedNotice ?? null,
    })
    .execute();
  await db
    .insertInto('retrieval_datasets')
    .values(
      input.datasets.map((dataset, position) => ({
        retrieval_id: input.id,
        dataset,
        position,
        agency: null,
        state: 'waiting',
        reason: null,
        retry_after_seconds: null,
        updated_at: stamp,
      })),
    )
    .execute();
}

export async function updateDataset(db: Db, retrievalId: string, progress: DatasetProgress, now: Date): Promise<void> {
  await db
    .updateTable('retrieval_datasets')
    .set({
      agency: progress.agency ?? null,
      state: progress.state,
      reason: progress.reason ?? null,
      retry_after_seconds: progress.retryAfterSeconds === undefined ? null : Math.ceil(progress.retryAfterSeconds),
      updated_at: now.toISOString(),
    })
    .where('retrieval_id', '=', retrievalId)
    .where('dataset', '=', progress.dataset)
    .execute();
}

/** Ends a running retrieval; false when it had already ended (another process swept it, say). */
export async function finishRetrieval(
  db: Db,
  id: string,
  end: { status: 'done' | 'failed'; failure?: RetrievalFailure | undefined; deliveryRef?: string | undefined },
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('retrievals')
    .set({ status: end.status, failure: end.failure ?? null, delivery_ref: end.deliveryRef ?? null, finished_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Data sets still under way become failed with the given reason (after a crash or a shutdown). */
export async function failUnfinishedDatasets(db: Db, id: string, reason: string, now: Date): Promise<string[]> {
  const open = await db
    .selectFrom('retrieval_datasets')
    .select(['dataset', 'agency'])
    .where('retrieval_id', '=', id)
    .where('state', 'not in', [...FINAL_STATES])
    .orderBy('position')
    .execute();
  if (open.length === 0) return [];
  await db
    .updateTable('retrieval_datasets')
    .set({ state: 'failed', reason, retry_after_seconds: null, updated_at: now.toISOString() })
    .where('retrieval_id', '=', id)
    .where('state', 'not in', [...FINAL_STATES])
    .execute();
  return open.map((row) => row.dataset);
}

/** Says "still working on these" for every running retrieval this process owns. */
export async function heartbeat(db: Db, owner: string, now: Date): Promise<void> {
  await db.updateTable('retrievals').set({ heartbeat_at: now.toISOString() }).where('owner', '=', owner).where('status', '=', 'running').execute();
}

/** Running retrievals whose process has not said anything since the cutoff. */
export async function staleRetrievals(db: Db, cutoff: Date): Promise<Array<{ id: string }>> {
  return db.selectFrom('retrievals').select('id').where('status', '=', 'running').where('heartbeat_at', '<', cutoff.toISOString()).execute();
}

/** Ends a stale retrieval; only one of several sweeping processes wins it. */
export async function claimStale(db: Db, id: string, cutoff: Date, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('retrievals')
    .set({ status: 'failed', failure: 'interrupted', finished_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('heartbeat_at', '<', cutoff.toISOString())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setPreview(db: Db, id: string, sealed: string, expiresAt: Date): Promise<void> {
  await db.updateTable('retrievals').set({ sealed_preview: sealed, preview_expires_at: expiresAt.toISOString() }).where('id', '=', id).execute();
}

export async function markDelivered(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('retrievals').set({ delivered_at: now.toISOString(), sealed_notice: null }).where('id', '=', id).execute();
}

export async function findRetrieval(db: Db, id: string): Promise<RetrievalView | undefined> {
  const row = await db.selectFrom('retrievals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const datasets = await db.selectFrom('retrieval_datasets').selectAll().where('retrieval_id', '=', id).orderBy('position').execute();
  return toView(row, datasets);
}

export async function findRetrievalByConsent(db: Db, consentId: string): Promise<RetrievalView | undefined> {
  const row = await db.selectFrom('retrievals').select('id').where('consent_id', '=', consentId).executeTakeFirst();
  return row ? findRetrieval(db, row.id) : undefined;
}

/** The progress rows of several retrievals at once (one query for every page that is watching). */
export async function datasetsOf(db: Db, ids: readonly string[]): Promise<Map<string, { status: RetrievalStatus; datasets: DatasetProgress[] }>> {
  const found = new Map<string, { status: RetrievalStatus; datasets: DatasetProgress[] }>();
  if (ids.length === 0) return found;
  const [rows, datasets] = await Promise.all([
    db.selectFrom('retrievals').select(['id', 'status']).where('id', 'in', ids).execute(),
    db.selectFrom('retrieval_datasets').selectAll().where('retrieval_id', 'in', ids).orderBy('position').execute(),
  ]);
  for (const row of rows) found.set(row.id, { status: row.status, datasets: [] });
  for (const d of datasets) found.get(d.retrieval_id)?.datasets.push(toProgress(d));
  return found;
}

/** Drops previews past their half hour, and whole retrievals past their expiry. */
export async function purgeRetrievals(db: Db, now: Date): Promise<number> {
  const stamp = now.toISOString();
  await db.updateTable('retrievals').set({ sealed_preview: null, preview_expires_at: null }).where('preview_expires_at', '<=', stamp).execute();
  const expired = db.selectFrom('retrievals').select('id').where('expires_at', '<=', stamp).where('status', '!=', 'running');
  await db.deleteFrom('retrieval_datasets').where('retrieval_id', 'in', expired).execute();
  const result = await db.deleteFrom('retrievals').where('expires_at', '<=', stamp).where('status', '!=', 'running').executeTakeFirst();
  return Number(result.numDeletedRows);
}

function toProgress(row: RetrievalDatasetTable): DatasetProgress {
  return {
    dataset: row.dataset,
    agency: row.agency ?? undefined,
    state: row.state as DatasetState,
    reason: row.reason ?? undefined,
    retryAfterSeconds: row.retry_after_seconds ?? undefined,
  };
}

function toView(row: RetrievalTable, datasets: RetrievalDatasetTable[]): RetrievalView {
  const date = (value: string | null) => (value ? new Date(value) : undefined);
  return {
    id: row.id,
    consentId: row.consent_id,
    subjectKey: row.subject_key,
    recipient: { kind: row.recipient_kind, id: row.recipient_id },
    status: row.status,
    failure: (row.failure as RetrievalFailure | null) ?? undefined,
    deliveryRef: row.delivery_ref ?? undefined,
    createdAt: new Date(row.created_at),
    finishedAt: date(row.finished_at),
    deliveredAt: date(row.delivered_at),
    datasets: datasets.map(toProgress),
    sealedPreview: row.sealed_preview ?? undefined,
    previewExpiresAt: date(row.preview_expires_at),
    sealedNotice: row.sealed_notice ?? undefined,
  };
}
