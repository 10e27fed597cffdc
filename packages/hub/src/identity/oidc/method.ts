// OIDC federation to an external identity provider (a national mobile ID in real life): the hub is
// a relying party using the authorization code flow with PKCE S256, state and nonce. start() gives
// the URL to send the person to and the secrets the session must keep; finish() runs the callback
// through the checks below, in this order. The first failing step decides the error code.
import * as client from 'openid-client';
import type { AssuranceLevel, VerifiedIdentity } from '../types.ts';
import { OidcAttempt, type OidcLoginState } from './attempt.ts';
import { checkCallbackState } from './check-callback-state.ts';
import { createDiscovery } from './discovery.ts';
import { oidcError } from './errors.ts';
import { exchangeCode } from './exchange-code.ts';
import { type OidcMethodOptions, resolveOidcOptions } from './options.ts';
import { readAssuranceLevel } from './read-assurance-level.ts';
import { readNationalId } from './read-national-id.ts';

export type OidcStep = (attempt: OidcAttempt) => void | Promise<void>;

/** The checks, in the order they run. Review them here as one table. */
export const OIDC_PIPELINE: readonly OidcStep[] = [
  checkCallbackState, // state_mismatch
  exchangeCode, // idp_denied, idp_error, idp_unavailable, response_invalid
  readAssuranceLevel, // assurance_unknown
  readNationalId, // identifier_invalid
];

export interface OidcStart {
  /** Send the person here (303). */
  url: string;
  /** Keep in the person's session until the callback; pass back to finish() once, then forget it. */
  state: OidcLoginState;
}

export interface OidcMethod {
  readonly id: 'oidc';
  /** The configured issuer. */
  readonly issuer: string;
  /** The lowest (strongest) level any configured acr can give: what this method can offer for step-up. */
  readonly bestLevel: AssuranceLevel;
  start(): Promise<OidcStart>;
  finish(callbackUrl: URL, state: OidcLoginState): Promise<VerifiedIdentity>;
}

export function createOidcMethod(input: OidcMethodOptions): OidcMethod {
  const options = resolveOidcOptions(input);
  const configuration = createDiscovery(options);
  const bestLevel = Math.min(...Object.values(options.acrLevels)) as AssuranceLevel;

  return {
    id: 'oidc',
    issuer: options.issuer,
    bestLevel,

    async start() {
      const provider = await configuration();
      const methods = provider.serverMetadata().code_challenge_methods_supported;
      if (methods !== undefined && !methods.includes('S256')) throw oidcError('idp_error', 'the provider does not support PKCE S256');
      const state: OidcLoginState = { codeVerifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
      const url = client.buildAuthorizationUrl(provider, {
        redirect_uri: options.redirectUri,
        scope: options.scope,
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(state.codeVerifier),
        code_challenge_method: 'S256',
        state: state.state,
        nonce: state.nonce,
        // A fresh sign-in every time: the hub is often used on shared computers at service counters.
        prompt: 'login',
        max_age: String(options.maxAuthAgeSeconds),
      });
      return { url: url.href, state };
    },

    async finish(callbackUrl, state) {
      const attempt = new OidcAttempt(callbackUrl, state, options, configuration);
      for (const step of OIDC_PIPELINE) await step(attempt);
      const { claims, level, nationalId, issuer } = attempt;
      if (!claims || level === undefined || nationalId === undefined || issuer === undefined) {
        throw new Error('OIDC pipeline finished without a verified identity');
      }
      return {
        method: 'oidc',
        nationalId,
        level,
        verifiedAt: options.now(),
        // Enough to find the sign-in in the provider's records; no national ID, no name.
        reference: `oidc:${issuer}:${claims.sub}`,
        name: typeof claims.name === 'string' && claims.name.trim() !== '' && claims.name.length <= 60 ? claims.name.trim() : undefined,
      };
    },
  };
}
