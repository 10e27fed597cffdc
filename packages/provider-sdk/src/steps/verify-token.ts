// Step 2: the token is the hub's (signature, typ, issuer), addressed to this agency, unexpired and
// short-lived; when the hub's keys cannot be fetched at all, the answer is 503, not a verdict on the token.
import { PROVIDER_API, RequestTokenError, verifyRequestToken, type KeyResolver, type RequestClaims } from '@openmydata/protocol';
import { ProviderError } from '../errors.ts';

export interface VerifyTokenOptions {
  hubKeys: KeyResolver;
  issuer: string;
  agencyId: string;
  now: Date;
  clockToleranceSeconds: number;
}

export async function verifyToken(token: string, options: VerifyTokenOptions): Promise<RequestClaims> {
  try {
    return await verifyRequestToken(token, {
      keys: options.hubKeys,
      issuer: options.issuer,
      audience: options.agencyId,
      now: options.now,
      clockToleranceSeconds: options.clockToleranceSeconds,
    });
  } catch (error) {
    if (!(error instanceof RequestTokenError)) throw error;
    if (error.code === 'hub_keys_unavailable') {
      throw new ProviderError('hub_keys_unavailable', { retryAfterSeconds: PROVIDER_API.hubKeysRetryAfterSeconds, cause: error.cause });
    }
    throw new ProviderError(error.code, { cause: error });
  }
}
