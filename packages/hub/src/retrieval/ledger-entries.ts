// The ledger entries the retrieval path writes, in one place: built from ids, codes and the consent's
// purpose only. Agency packages and national IDs never reach here.
import type { ProgressEvent } from '../broker/outcome.ts';
import type { Consent } from '../consent/consent-repository.ts';
import { DATASET_ID, type LedgerEntryInput } from '../ledger/entry.ts';

const HUB = { kind: 'hub', id: 'hub' } as const;

/** An id the catalogue never had (dataset_unknown) is not written: it could be anything. */
function known(dataset: string): string[] {
  return DATASET_ID.test(dataset) ? [dataset] : [];
}

export function consentGranted(consent: Consent): LedgerEntryInput {
  return {
    action: 'consent_granted',
    actor: { kind: 'citizen', id: consent.subjectKey },
    subject: consent.subjectKey,
    datasets: consent.datasets,
    consent: consent.id,
    recipient: consent.recipient.id,
    purpose: consent.purpose,
  };
}

/** An operator's authorisation to read a person's records: the person sees who and why. */
export function operatorAuthorised(consent: Consent): LedgerEntryInput {
  return {
    action: 'operator_action',
    actor: { kind: 'operator', id: consent.recipient.id },
    subject: consent.subjectKey,
    datasets: consent.datasets,
    consent: consent.id,
    recipient: consent.recipient.id,
    purpose: consent.purpose,
    outcome: 'fetch',
  };
}

export function consentRevoked(consent: Pick<Consent, 'id' | 'subjectKey'>): LedgerEntryInput {
  return { action: 'consent_revoked', actor: { kind: 'citizen', id: consent.subjectKey }, subject: consent.subjectKey, consent: consent.id };
}

export function consentDenied(subjectKey: string, datasets: readonly string[], recipient: string, purpose: string): LedgerEntryInput {
  return { action: 'consent_denied', actor: { kind: 'citizen', id: subjectKey }, subject: subjectKey, datasets, recipient, purpose, outcome: 'denied' };
}

export function consentUsed(consent: Consent): LedgerEntryInput {
  return {
    action: 'consent_used',
    actor: HUB,
    subject: consent.subjectKey,
    datasets: consent.datasets,
    consent: consent.id,
    recipient: consent.recipient.id,
    purpose: consent.purpose,
  };
}

/** The first request to an agency for a data set (retries and polls are part of it). The agency
 *  receives the person's ID with it, so it is this entry's recipient. */
export function agencyRequest(consent: Consent, event: Pick<ProgressEvent, 'dataset' | 'agency'>): LedgerEntryInput {
  return {
    action: 'agency_request',
    actor: HUB,
    subject: consent.subjectKey,
    datasets: known(event.dataset),
    consent: consent.id,
    recipient: event.agency ?? null,
    purpose: consent.purpose,
  };
}

/** What the agency answered; the package is headed for the consent's recipient. */
export function agencyOutcome(consent: Consent, dataset: string, agency: string | undefined, outcome: string): LedgerEntryInput {
  return {
    action: 'agency_outcome',
    actor: agency ? { kind: 'agency', id: agency } : HUB,
    subject: consent.subjectKey,
    datasets: known(dataset),
    consent: consent.id,
    recipient: consent.recipient.id,
    purpose: consent.purpose,
    outcome,
  };
}
