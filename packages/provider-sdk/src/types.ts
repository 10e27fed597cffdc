// The agency-facing types: what an agency writes (a DatasetHandler) and how it configures a Provider.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldType } from '@openmydata/protocol';
import type { KeyRing } from './key-ring.ts';
import type { PreparationSettled } from './preparation-store.ts';
import type { ReplayStore } from './replay-store.ts';

export type FieldValue = string | number | boolean | null;
export type LocalizedText = { 'zh-TW': string; en: string };

export interface FieldSpec {
  id: string;
  name: LocalizedText;
  /**
   * `year`: a Gregorian year as an integer (shown 民國114年 (2025)); `date`: 'YYYY-MM-DD' or an ISO
   * date-time string; `image`: base64 PNG or JPEG (a data: URL prefix is accepted).
   */
  type: FieldType;
}

export interface DatasetRecords {
  records: Array<Record<string, FieldValue>>;
}

export interface FetchContext {
  dataset: string;
  consentId: string;
  purpose: string;
  transactionId: string;
}

export interface DatasetHandler {
  id: string;
  name: LocalizedText;
  fields: FieldSpec[];
  /** Subject (national ID, already shape-and-checksum validated) -> records, or null when the agency holds nothing (answers 204). */
  fetch(subject: string, context: FetchContext): DatasetRecords | null | Promise<DatasetRecords | null>;
  /**
   * When set, the agency prepares asynchronously: the first request answers 202 + Retry-After and the
   * package is ready after about this many seconds; later requests with the same txn get 202 until
   * ready, then 200, and the same package again to a retry within redeliverySeconds.
   */
  preparationSeconds?: number;
}

export interface MaintenanceWindow {
  /** 0 = Sunday .. 6 = Saturday, the day the window starts; default every day. */
  days?: number[];
  /** 'HH:MM', local time in timeZone. A window whose end is not after its start runs past midnight. */
  start: string;
  end: string;
  /** IANA time zone, default 'Asia/Taipei'. */
  timeZone?: string;
}

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ProviderOptions {
  agency: { id: string; name: LocalizedText };
  datasets: DatasetHandler[];
  /** Where the hub's public keys are (jose createRemoteJWKSet). */
  hub: { issuer: string; jwksUrl: string };
  /** Default: a fresh KeyRing (lost on restart; use KeyRing.fromFile to keep keys). */
  keyRing?: KeyRing;
  maintenance?: MaintenanceWindow[];
  /** Clock, for tests. */
  now?: () => Date;
  /** Prepared packages not collected this long after preparation started are dropped; default 3600. */
  maxPreparedAgeSeconds?: number;
  /**
   * A prepared package, once handed out, is handed out again to a retry of the same transaction for
   * this long (the hub's first answer may have been lost), then dropped; default 300, at most 3600.
   */
  redeliverySeconds?: number;
  /** Default: silent. The SDK never passes it the subject or any record value. */
  logger?: Logger;
  /** Where seen request-token ids are remembered; default in memory (one process). */
  replayStore?: ReplayStore;
  /**
   * Package requests answered at once; one more is refused with 429 too_many_requests and
   * Retry-After: 1, unread, so an overloaded agency stays fast for the requests it took. Default 32;
   * Infinity turns shedding off.
   */
  maxConcurrent?: number;
  /** Clock skew accepted on request-token times, default 5 s. */
  clockToleranceSeconds?: number;
  /**
   * Told when a slow data set's preparation has finished (for the agency's own monitoring): which
   * data set and transaction, how it ended, and how long it took. Never the subject or a record.
   */
  onPreparationSettled?: (info: PreparationSettled) => void;
}

export interface ListeningProvider {
  url: string;
  close(): Promise<void>;
}

export interface Provider {
  /** node:http request listener, so an agency can mount it anywhere. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Listens on host (default 127.0.0.1; pass '0.0.0.0' to expose) and port (0 = ephemeral). */
  listen(port: number, host?: string): Promise<ListeningProvider>;
  keyRing: KeyRing;
}
