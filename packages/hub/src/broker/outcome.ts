// What the broker says about each data set it was asked for. Reasons are stable codes; people see
// the messages below (or the portal's translations of them), never an agency's raw answer.
import type { VerifiedPackage } from '@openmydata/protocol';

export type FailureReason =
  | 'subject_invalid'
  | 'dataset_unknown'
  | 'agency_unavailable'
  | 'agency_timeout'
  | 'agency_busy'
  | 'agency_error'
  | 'agency_maintenance'
  | 'agency_rejected'
  | 'agency_bad_response'
  | 'agency_keys_unavailable'
  | 'package_too_large'
  | 'package_invalid'
  | 'preparation_timeout'
  | 'hub_error'
  | 'hub_interrupted';

export interface OutcomeBase {
  dataset: string;
  agency: string | undefined;
  transactionId: string | undefined;
  /** Requests sent to the agency for this data set (polls included). */
  requests: number;
  elapsedMs: number;
}

export type DatasetOutcome =
  | (OutcomeBase & { status: 'ok'; archive: Buffer; package: VerifiedPackage })
  | (OutcomeBase & { status: 'no_data' })
  | (OutcomeBase & { status: 'preparing'; retryAfterSeconds: number })
  | (OutcomeBase & {
      status: 'failed';
      reason: FailureReason;
      /** A finer code: the package check that failed, or the agency's problem code. */
      code?: string;
      /** English, safe to show and log: never personal data, never the agency's raw body. */
      detail: string;
      retryAfterSeconds?: number;
    });

export type FailedOutcome = Extract<DatasetOutcome, { status: 'failed' }>;

export type ProgressState = 'requesting' | 'preparing' | 'retrying' | 'verifying' | 'ok' | 'no_data' | 'failed';

export interface ProgressEvent {
  dataset: string;
  agency: string | undefined;
  state: ProgressState;
  attempt: number;
  retryAfterSeconds?: number;
  reason?: FailureReason;
}

export const FAILURE_MESSAGES: Record<FailureReason, { en: string; 'zh-TW': string }> = {
  subject_invalid: { en: 'The national ID is not valid.', 'zh-TW': '身分證統一編號格式或檢查碼有誤。' },
  dataset_unknown: { en: 'No such data set is registered.', 'zh-TW': '查無此資料集。' },
  agency_unavailable: { en: 'The agency cannot be reached right now.', 'zh-TW': '目前無法連線至資料提供機關。' },
  agency_timeout: { en: 'The agency did not answer in time.', 'zh-TW': '資料提供機關未及時回應。' },
  agency_busy: {
    en: 'The agency is too busy right now and could not answer in time; please ask for it again later.',
    'zh-TW': '資料提供機關目前忙碌，未能及時回應，請稍後重新申請。',
  },
  agency_error: { en: 'The agency had an error.', 'zh-TW': '資料提供機關發生錯誤。' },
  agency_maintenance: { en: 'The agency is in scheduled maintenance.', 'zh-TW': '資料提供機關系統維護中。' },
  agency_rejected: { en: 'The agency refused the request.', 'zh-TW': '資料提供機關拒絕此請求。' },
  agency_bad_response: { en: 'The agency sent an answer we cannot read.', 'zh-TW': '資料提供機關回傳的內容無法辨識。' },
  agency_keys_unavailable: { en: "The agency's signing keys cannot be fetched.", 'zh-TW': '無法取得資料提供機關的簽章金鑰。' },
  package_too_large: { en: 'The package is larger than allowed.', 'zh-TW': '資料包超過允許的大小。' },
  package_invalid: { en: 'The package failed verification and was discarded.', 'zh-TW': '資料包驗證失敗，已捨棄。' },
  preparation_timeout: { en: 'The agency did not finish preparing in time.', 'zh-TW': '資料提供機關未能於時限內備妥資料。' },
  hub_error: { en: 'The platform could not send the request.', 'zh-TW': '平台無法送出請求。' },
  hub_interrupted: {
    en: 'The platform stopped before this data set arrived; please ask for it again.',
    'zh-TW': '平台在取得此資料集前中止，請重新申請。',
  },
};
