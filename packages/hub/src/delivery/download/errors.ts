// Errors of the download package, each with a stable code and a message a person can read in
// either language. Messages never carry the password, personal data or an agency's raw answer.

export type DownloadErrorCode =
  | 'password_too_short'
  | 'password_too_long'
  | 'password_invalid_characters'
  | 'no_packages'
  | 'duplicate_dataset'
  | 'unsafe_name'
  | 'agency_unknown'
  | 'package_incomplete'
  | 'not_a_download'
  | 'wrong_password'
  | 'download_damaged'
  | 'download_too_large';

export const DOWNLOAD_ERROR_MESSAGES: Record<DownloadErrorCode, { en: string; 'zh-TW': string }> = {
  password_too_short: { en: 'The password needs at least 10 characters.', 'zh-TW': '密碼至少需要 10 個字元。' },
  password_too_long: { en: 'The password may have at most 256 characters.', 'zh-TW': '密碼最多 256 個字元。' },
  password_invalid_characters: {
    en: 'The password cannot contain control characters such as line breaks or tabs.',
    'zh-TW': '密碼不可包含換行、定位字元等控制字元。',
  },
  no_packages: { en: 'No data set was received, so there is nothing to download.', 'zh-TW': '沒有取得任何資料集，無可下載的內容。' },
  duplicate_dataset: { en: 'A data set appears twice.', 'zh-TW': '同一資料集出現兩次。' },
  unsafe_name: { en: 'An agency or data set identifier cannot be used as a folder name.', 'zh-TW': '機關或資料集代號無法作為資料夾名稱。' },
  agency_unknown: { en: 'An agency of a data set is not in the catalogue.', 'zh-TW': '資料集的提供機關不在目錄中。' },
  package_incomplete: { en: 'A verified package lacks its data or PDF file.', 'zh-TW': '資料包缺少資料檔或 PDF 檔。' },
  not_a_download: { en: 'This file is not an OpenMyData download.', 'zh-TW': '此檔案不是 OpenMyData 下載包。' },
  wrong_password: { en: 'Wrong password.', 'zh-TW': '密碼錯誤。' },
  download_damaged: { en: 'The download is damaged or was altered after it was made.', 'zh-TW': '下載包已損毀或在建立後遭到更動。' },
  download_too_large: { en: 'The download is larger than this tool accepts.', 'zh-TW': '下載包超過此工具可處理的大小。' },
};

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    readonly code: DownloadErrorCode,
    /** English, safe to show and log; defaults to the public message. */
    message: string = DOWNLOAD_ERROR_MESSAGES[code].en,
  ) {
    super(message);
  }
}
