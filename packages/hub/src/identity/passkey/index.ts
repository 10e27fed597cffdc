// The passkey (WebAuthn) identity method.
export { PASSKEY_LEVEL, PASSKEY_LOGIN_PIPELINE, type PasskeyStep, passkeyReference } from './authentication.ts';
export { passkeyScript } from './browser-script.ts';
export { CHALLENGE_TTL_MS, type PasskeyChallenge, type PasskeyRegistrationChallenge } from './challenge.ts';
export { PASSKEY_ERRORS, type PasskeyErrorCode } from './errors.ts';
export { createPasskeyMethod, type PasskeyMethod, type PasskeySummary } from './method.ts';
export { type PasskeyMethodOptions, passkeyOptionsFromEnv } from './options.ts';
export { DEFAULT_DISPLAY_LABEL, type PasskeyOwner } from './registration.ts';
