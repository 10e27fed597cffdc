// One callback being checked: what the hub kept from start(), what came back, and what the checks
// have established so far.
import type { IDToken } from 'openid-client';
import type { AssuranceLevel } from '../types.ts';
import type { ProviderConfiguration } from './discovery.ts';
import type { ResolvedOidcOptions } from './options.ts';

/** What start() hands the session layer to keep until the callback; all three are random and single-use. */
export interface OidcLoginState {
  codeVerifier: string;
  state: string;
  nonce: string;
}

export class OidcAttempt {
  /** The ID token's claims once its signature, issuer, audience, expiry and nonce have been checked. */
  claims: IDToken | undefined;
  /** The provider's issuer exactly as its metadata spells it. */
  issuer: string | undefined;
  level: AssuranceLevel | undefined;
  nationalId: string | undefined;

  constructor(
    readonly callbackUrl: URL,
    readonly login: OidcLoginState,
    readonly options: ResolvedOidcOptions,
    readonly configuration: () => Promise<ProviderConfiguration>,
  ) {}
}
