// Trades the authorization code for tokens and validates the ID token. openid-client checks the
// iss response parameter, state, PKCE (by sending the verifier), the ID token's signature against
// the provider's JWKS (switched on in discovery.ts), iss, aud, exp/iat, nonce, and auth_time
// against max_age.
import * as client from 'openid-client';
import type { OidcAttempt } from './attempt.ts';
import { oidcError, toOidcError } from './errors.ts';

export async function exchangeCode(attempt: OidcAttempt): Promise<void> {
  const { options, login } = attempt;
  const configuration = await attempt.configuration();
  // Only the query of the callback is used: the URL the hub was reached at can differ from the
  // registered redirect URI behind a proxy, and the token request must name the registered one.
  const response = new URL(options.redirectUri);
  response.search = attempt.callbackUrl.search;
  try {
    const tokens = await client.authorizationCodeGrant(configuration, response, {
      pkceCodeVerifier: login.codeVerifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      maxAge: options.maxAuthAgeSeconds,
      idTokenExpected: true,
    });
    attempt.claims = tokens.claims();
    attempt.issuer = configuration.serverMetadata().issuer;
  } catch (error) {
    throw toOidcError(error, 'callback');
  }
  if (!attempt.claims) throw oidcError('response_invalid', 'token response without an ID token');
}
