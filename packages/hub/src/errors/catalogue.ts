// Every error code the hub's APIs can answer, with its HTTP status and public titles.
// Codes are stable: once published a code keeps its meaning; a retired code is never reused.

export interface ErrorDefinition {
  status: number;
  title: { en: string; 'zh-TW': string };
}

export const ERROR_CATALOGUE = {
  not_found: { status: 404, title: { en: 'Not found', 'zh-TW': '找不到資源' } },
  dataset_not_found: { status: 404, title: { en: 'Unknown data set', 'zh-TW': '查無此資料集' } },
  agency_not_found: { status: 404, title: { en: 'Unknown agency', 'zh-TW': '查無此機關' } },
  method_not_allowed: { status: 405, title: { en: 'Method not allowed', 'zh-TW': '不支援此請求方法' } },
  validation_failed: { status: 400, title: { en: 'The request is invalid', 'zh-TW': '請求內容有誤' } },
  invalid_json: { status: 400, title: { en: 'The request body is not valid JSON', 'zh-TW': '請求內容不是有效的 JSON' } },
  subject_invalid: { status: 400, title: { en: 'The national ID is not valid', 'zh-TW': '身分證統一編號格式或檢查碼有誤' } },
  payload_too_large: { status: 413, title: { en: 'The request body is too large', 'zh-TW': '請求內容過大' } },
  unsupported_media_type: { status: 415, title: { en: 'Unsupported content type', 'zh-TW': '不支援的內容類型' } },
  unauthenticated: { status: 401, title: { en: 'Please sign in first', 'zh-TW': '請先登入' } },
  csrf_failed: { status: 403, title: { en: 'The form has expired', 'zh-TW': '表單已逾時，請重新整理後再試' } },
  rate_limited: { status: 429, title: { en: 'Too many requests', 'zh-TW': '請求次數過多' } },
  internal_error: { status: 500, title: { en: 'Something went wrong on our side', 'zh-TW': '系統發生錯誤' } },
  not_ready: { status: 503, title: { en: 'The service is not ready', 'zh-TW': '服務尚未就緒' } },
  shutting_down: { status: 503, title: { en: 'The service is restarting', 'zh-TW': '服務重新啟動中' } },
  ledger_query_invalid: { status: 400, title: { en: 'The ledger query parameters are not valid', 'zh-TW': '存取紀錄查詢參數有誤' } },
  ledger_range_invalid: { status: 400, title: { en: 'The requested range is outside the ledger', 'zh-TW': '查詢範圍超出存取紀錄' } },
  // mode 3: services
  service_not_found: { status: 404, title: { en: 'Unknown online service', 'zh-TW': '查無此線上服務' } },
  authorization_request_gone: { status: 410, title: { en: 'The authorization request has ended', 'zh-TW': '此授權請求已結束或失效' } },
  service_delivery_failed: { status: 502, title: { en: 'No delivery could be made to the service', 'zh-TW': '無法交付資料給服務' } },
  service_keys_unavailable: { status: 502, title: { en: "The service's encryption key could not be fetched", 'zh-TW': '無法取得服務的加密金鑰' } },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Codes that were published once and withdrawn. They must never appear in the catalogue again. */
export const RETIRED_ERROR_CODES: readonly string[] = [];
