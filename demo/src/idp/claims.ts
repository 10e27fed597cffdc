// What the mock IdP asserts about a person, and under which names. The hub's relying party maps
// the acr value to its assurance level (docs/identity-oidc.md).

/** Authentication context class for a mobile ID sign-in: assurance level 2 on the hub's 1..4 scale. */
export const LOA_MOBILE_ID = 'urn:openmydata:loa:2';

/** The scope that releases the `national_id` claim. */
export const NATIONAL_ID_SCOPE = 'national_id';

export const SUPPORTED_SCOPES = ['openid', NATIONAL_ID_SCOPE, 'profile'] as const;

/**
 * oidc-provider's claims configuration: which scope releases which claims. acr and amr ride on
 * `openid` so that every ID token carries them; oidc-provider otherwise adds acr only when the
 * relying party sends acr_values, and amr only on request through the claims parameter.
 */
export function claimsByScope(): Record<string, null | string[]> {
  return { openid: ['sub', 'acr', 'amr', 'auth_time'], [NATIONAL_ID_SCOPE]: ['national_id'], profile: ['name'] };
}
