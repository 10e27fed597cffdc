// Step 3: each request token is used once; its jti is remembered until the token could no longer pass step 2.
import type { RequestClaims } from '@openmydata/protocol';
import { ProviderError } from '../errors.ts';
import type { ReplayStore } from '../replay-store.ts';

export async function rejectReplay(claims: RequestClaims, store: ReplayStore, clockToleranceSeconds: number): Promise<void> {
  const keepUntil = new Date((claims.exp + clockToleranceSeconds) * 1000);
  if (!(await store.remember(claims.jti, keepUntil))) throw new ProviderError('token_replayed');
}
