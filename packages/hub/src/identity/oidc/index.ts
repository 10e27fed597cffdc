// The OIDC federation identity method (relying party of an external identity provider).
export type { OidcLoginState } from './attempt.ts';
export { OIDC_ERRORS, type OidcErrorCode } from './errors.ts';
export { createOidcMethod, OIDC_PIPELINE, type OidcMethod, type OidcStart, type OidcStep } from './method.ts';
export { CALLBACK_PATH, DEFAULT_ACR_LEVELS, DEFAULT_SCOPE, type OidcMethodOptions, oidcOptionsFromEnv } from './options.ts';
