// The passkey method's error codes, each with public wording in both portal languages.
import { IdentityError } from '../types.ts';

export const PASSKEY_ERRORS = {
  challenge_expired: {
    en: 'The passkey request has expired. Please start again.',
    'zh-TW': '通行密鑰請求已逾時，請重新操作。',
  },
  passkey_unknown: {
    en: 'This passkey is not registered with OpenMyData. Please sign in another way, then add it again.',
    'zh-TW': '此通行密鑰未在 OpenMyData 註冊，請改用其他方式登入後重新新增。',
  },
  passkey_invalid: {
    en: 'The passkey could not be verified. Please try again or use another method.',
    'zh-TW': '無法驗證通行密鑰，請再試一次或改用其他方式。',
  },
  passkey_counter: {
    en: 'This passkey may have been copied, so it was not accepted. Please sign in another way and remove it from your passkeys.',
    'zh-TW': '此通行密鑰可能遭複製，因此未被接受。請改用其他方式登入，並將其從通行密鑰清單移除。',
  },
} as const satisfies Record<string, { en: string; 'zh-TW': string }>;

export type PasskeyErrorCode = keyof typeof PASSKEY_ERRORS;

/** An IdentityError with the code's public English wording; `detail` goes to logs only and holds no personal data. */
export function passkeyError(code: PasskeyErrorCode, detail?: string): IdentityError {
  return new IdentityError(code, PASSKEY_ERRORS[code].en, detail);
}
