// Step 2: the token is the hub's (signature, typ, issuer), addressed to this agency, unexpired and short-lived.
import { errors as joseErrors } from 'jose';
import { RequestTokenError, verifyRequestToken, type KeyResolver, type RequestClaims } from '@openmydata/protocol';
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
    if (error instanceof RequestTokenError) throw new ProviderError(error.code, { cause: error });
    if (error instanceof joseErrors.JWKSTimeout) throw new ProviderError('hub_keys_unavailable', { retryAfterSeconds: 5, cause: error });
    throw error;
  }
}
