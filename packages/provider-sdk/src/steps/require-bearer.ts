// Step 1: the request JWT must come as an Authorization: Bearer token.
import { ProviderError } from '../errors.ts';

export function requireBearer(authorization: string | undefined): string {
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new ProviderError('token_missing');
  return match[1];
}
