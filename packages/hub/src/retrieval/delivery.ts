// The end of the retrieval path, the only part that differs per mode: download (the person's
// encrypted ZIP), counter (ciphertext redeemed by a clerk) or service (a JWE to the service's key).
// A delivery gets the verified agency packages once, builds and stores what its mode hands out,
// and says what the ledger should record about it.
import type { DatasetOutcome } from '../broker/outcome.ts';
import type { ConsumedConsent, RecipientKind } from '../consent/consent-repository.ts';
import type { LedgerEntryInput } from '../ledger/entry.ts';

/** A data set whose agency package arrived and passed every check. */
export type VerifiedOutcome = Extract<DatasetOutcome, { status: 'ok' }>;

export interface DeliveryInput {
  retrievalId: string;
  consent: ConsumedConsent;
  /** Every data set's outcome, in the consent's order. */
  outcomes: readonly DatasetOutcome[];
  /** The verified agency packages alone (in memory only). */
  packages: readonly VerifiedOutcome[];
}

export interface Delivered {
  /** A non-personal reference to what was stored (a download id, a counter package id, ...). */
  reference: string;
  /** Ledger entries about what was built, committed with the retrieval's outcome. */
  entries: LedgerEntryInput[];
}

export interface Delivery {
  /** Whom this delivery serves; must match the consent's recipient. */
  readonly recipient: RecipientKind;
  /** Builds and stores what the mode hands out; undefined when there is nothing to hand out. */
  accept(input: DeliveryInput): Promise<Delivered | undefined>;
}
