// The X.509 method's error codes, each with public wording in both portal languages.
import { IdentityError } from '../types.ts';

export const X509_ERRORS = {
  challenge_expired: {
    en: 'The sign-in challenge has expired. Please start again.',
    'zh-TW': '登入驗證碼已逾時，請重新操作。',
  },
  certificate_invalid: {
    en: 'The certificate could not be read or is not meant for signing in.',
    'zh-TW': '無法讀取憑證，或此憑證不適用於登入。',
  },
  signature_invalid: {
    en: 'The signature does not match the certificate.',
    'zh-TW': '簽章與憑證不符。',
  },
  untrusted_issuer: {
    en: 'The certificate was not issued by a certification authority this service trusts.',
    'zh-TW': '此憑證並非由本服務信任的憑證機構所簽發。',
  },
  certificate_expired: {
    en: 'The certificate has expired.',
    'zh-TW': '憑證已逾有效期限。',
  },
  certificate_not_yet_valid: {
    en: 'The certificate is not valid yet.',
    'zh-TW': '憑證尚未生效。',
  },
  certificate_revoked: {
    en: 'The certificate has been revoked.',
    'zh-TW': '憑證已被廢止。',
  },
  crl_unavailable: {
    en: 'The certificate revocation list could not be checked. Please try again later.',
    'zh-TW': '目前無法查驗憑證廢止清冊，請稍後再試。',
  },
  crl_expired: {
    en: 'The certificate revocation list is out of date. Please try again later.',
    'zh-TW': '憑證廢止清冊已過期，請稍後再試。',
  },
  identifier_invalid: {
    en: 'The certificate does not carry a valid national ID or resident certificate number.',
    'zh-TW': '憑證中的身分證統一編號或居留證號碼無效。',
  },
} as const satisfies Record<string, { en: string; 'zh-TW': string }>;

export type X509ErrorCode = keyof typeof X509_ERRORS;

/** An IdentityError with the code's public English wording; `detail` goes to logs only. */
export function x509Error(code: X509ErrorCode, detail?: string): IdentityError {
  return new IdentityError(code, X509_ERRORS[code].en, detail);
}
