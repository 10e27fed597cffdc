// Ledger entries for one broker fetch: per data set, the request sent to the agency and the
// agency's outcome. Built from outcome codes and ids only: the packages' contents never reach here.
import type { DatasetOutcome } from '../broker/outcome.ts';
import { DATASET_ID, type LedgerEntryInput } from './entry.ts';

export interface FetchContext {
  /** The person's subject key, never the national ID. */
  subjectKey: string;
  consentId: string;
  purpose: string;
}

export function outcomeCode(outcome: DatasetOutcome): string {
  return outcome.status === 'failed' ? outcome.reason : outcome.status;
}

export function entriesForFetch(context: FetchContext, outcomes: readonly DatasetOutcome[]): LedgerEntryInput[] {
  const common = { subject: context.subjectKey, consent: context.consentId, purpose: context.purpose };
  return outcomes.flatMap((outcome): LedgerEntryInput[] => {
    // An id the catalogue never had (dataset_unknown) is not written: it could be anything.
    const datasets = DATASET_ID.test(outcome.dataset) ? [outcome.dataset] : [];
    const result: LedgerEntryInput = {
      ...common,
      action: 'agency_outcome',
      actor: outcome.agency ? { kind: 'agency', id: outcome.agency } : { kind: 'hub', id: 'hub' },
      datasets,
      recipient: outcome.agency ?? null,
      outcome: outcomeCode(outcome),
    };
    // No request went out when the data set or subject was refused before reaching an agency.
    if (!outcome.agency || outcome.requests === 0) return [result];
    return [{ ...common, action: 'agency_request', actor: { kind: 'hub', id: 'hub' }, datasets, recipient: outcome.agency }, result];
  });
}
