// The OIDC method's error codes, each with public wording in both portal languages, and the one
// place where openid-client's errors are sorted into them.
import { AuthorizationResponseError, ClientError, ResponseBodyError } from 'openid-client';
import { IdentityError } from '../types.ts';

export const OIDC_ERRORS = {
  state_mismatch: {
    en: 'This answer from the mobile ID service does not belong to your sign-in. Please start again.',
    'zh-TW': '此行動身分識別回應與您本次的登入不符，請重新操作。',
  },
  response_invalid: {
    en: 'The answer from the mobile ID service could not be verified. Please start again.',
    'zh-TW': '無法驗證行動身分識別服務的回應，請重新操作。',
  },
  idp_denied: {
    en: 'The sign-in was cancelled or refused at the mobile ID service.',
    'zh-TW': '登入已在行動身分識別服務取消或遭拒絕。',
  },
  idp_error: {
    en: 'The mobile ID service could not complete the sign-in. Please try again or use another method.',
    'zh-TW': '行動身分識別服務無法完成登入，請再試一次或改用其他方式。',
  },
  idp_unavailable: {
    en: 'The mobile ID service cannot be reached right now. Please try again later or use another method.',
    'zh-TW': '目前無法連線至行動身分識別服務，請稍後再試或改用其他方式。',
  },
  assurance_unknown: {
    en: 'The mobile ID service did not state an assurance level this service accepts.',
    'zh-TW': '行動身分識別服務未提供本服務接受的身分驗證等級。',
  },
  identifier_invalid: {
    en: 'The mobile ID service did not provide a valid national ID or resident certificate number.',
    'zh-TW': '行動身分識別服務未提供有效的身分證統一編號或居留證號碼。',
  },
} as const satisfies Record<string, { en: string; 'zh-TW': string }>;

export type OidcErrorCode = keyof typeof OIDC_ERRORS;

/** An IdentityError with the code's public English wording; `detail` goes to logs only and holds no personal data. */
export function oidcError(code: OidcErrorCode, detail?: string): IdentityError {
  return new IdentityError(code, OIDC_ERRORS[code].en, detail);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR_'))) return true;
  // undici reports every connection problem as TypeError('fetch failed') with the reason as its cause.
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  return error.cause !== undefined && error.cause !== error && isNetworkFailure(error.cause);
}

function statusOf(error: ClientError): number | undefined {
  return error.cause instanceof Response ? error.cause.status : undefined;
}

/** Short text for logs. IdP error descriptions are the IdP's words, not the person's data; they are cut short anyway. */
function describe(error: Error): string {
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.name}${'code' in error && typeof error.code === 'string' ? ` ${error.code}` : ''}: ${error.message}${cause}`.slice(0, 300);
}

export type OidcStage = 'discovery' | 'callback';

/**
 * Sorts an error from discovery or from processing the callback (authorization response, token
 * request, ID token validation) into the method's codes. Errors that are not about the IdP or its
 * answer (programming errors) are returned unchanged so they surface as bugs.
 */
export function toOidcError(error: unknown, stage: OidcStage): unknown {
  if (error instanceof IdentityError) return error;
  if (isNetworkFailure(error)) return oidcError('idp_unavailable', `${stage}: ${describe(error as Error)}`);
  if (stage === 'discovery' && (error instanceof ClientError || error instanceof ResponseBodyError)) {
    return oidcError('idp_unavailable', `discovery: ${describe(error)}`);
  }
  if (error instanceof AuthorizationResponseError) {
    const detail = `authorization response error=${error.error}${error.error_description ? `: ${error.error_description.slice(0, 200)}` : ''}`;
    if (error.error === 'access_denied') return oidcError('idp_denied', detail);
    if (error.error === 'temporarily_unavailable') return oidcError('idp_unavailable', detail);
    return oidcError('idp_error', detail);
  }
  if (error instanceof ResponseBodyError) {
    const detail = `token endpoint ${error.status} error=${error.error}`;
    if (error.status >= 500 || error.error === 'temporarily_unavailable') return oidcError('idp_unavailable', detail);
    // A code that was tampered with, replayed, expired, or does not match the PKCE verifier.
    if (error.error === 'invalid_grant') return oidcError('response_invalid', detail);
    return oidcError('idp_error', detail);
  }
  if (error instanceof ClientError) {
    if (error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT') return oidcError('idp_unavailable', describe(error));
    const status = statusOf(error);
    if (status !== undefined && status >= 500) return oidcError('idp_unavailable', describe(error));
    // Everything openid-client checks about the answer: iss, state, signature, aud, exp, nonce, at_hash, ...
    return oidcError('response_invalid', describe(error));
  }
  return error;
}
