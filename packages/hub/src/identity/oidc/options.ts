// How the hub is set up as a relying party of one OpenID provider: from code (createOidcMethod) or
// from the environment (oidcOptionsFromEnv). Checked once at start-up; a bad value stops the hub.
import type { PrivateKey } from 'openid-client';
import { ConfigError } from '../../config.ts';
import type { AssuranceLevel } from '../types.ts';

export interface OidcMethodOptions {
  /** The provider's issuer identifier; discovery reads ISSUER/.well-known/openid-configuration. */
  issuer: string;
  clientId: string;
  /** client_secret_basic. Give this or clientPrivateKey. */
  clientSecret?: string;
  /** private_key_jwt: the hub's key registered with the provider. Give this or clientSecret. */
  clientPrivateKey?: PrivateKey;
  /** Where the provider sends the person back: the hub's /login/oidc/callback. */
  redirectUri: string;
  /** acr value -> assurance level. Unlisted acr values are refused (assurance_unknown). */
  acrLevels?: Record<string, AssuranceLevel>;
  /** Scopes asked for; must release the national_id claim. */
  scope?: string;
  /** The sign-in at the provider must be at most this old when the hub receives it. */
  maxAuthAgeSeconds?: number;
  /** Per HTTP request to the provider. */
  timeoutSeconds?: number;
  /** The hub's clock; tests move it. */
  now?: () => Date;
}

export interface ResolvedOidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  clientPrivateKey: PrivateKey | undefined;
  redirectUri: string;
  acrLevels: Readonly<Record<string, AssuranceLevel>>;
  scope: string;
  maxAuthAgeSeconds: number;
  timeoutSeconds: number;
  /** Plain HTTP to the provider, allowed only when it runs on this machine (the demo's mock IdP). */
  allowHttp: boolean;
  now: () => Date;
}

/** The mock IdP's mobile ID sign-in; a real provider's values are configured with OIDC_ACR_LEVELS. */
export const DEFAULT_ACR_LEVELS: Readonly<Record<string, AssuranceLevel>> = { 'urn:openmydata:loa:2': 2 };
/** The national ID to know who signed in; the name (profile) only to greet the person on their pages. */
export const DEFAULT_SCOPE = 'openid national_id profile';
export const CALLBACK_PATH = '/login/oidc/callback';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname) || url.hostname.endsWith('.localhost');
}

function checkUrl(name: string, value: string, problems: string[]): URL | undefined {
  if (!URL.canParse(value)) {
    problems.push(`${name}: must be an absolute URL; got ${JSON.stringify(value)}`);
    return undefined;
  }
  const url = new URL(value);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    problems.push(`${name}: must use https (plain http only for localhost / 127.0.0.1)`);
  }
  if (url.username || url.password) problems.push(`${name}: must not carry a user name or password`);
  if (url.hash) problems.push(`${name}: must not have a #fragment`);
  return url;
}

export function resolveOidcOptions(options: OidcMethodOptions): ResolvedOidcOptions {
  const problems: string[] = [];
  const issuer = checkUrl('OIDC issuer', options.issuer, problems);
  if (issuer?.search) problems.push('OIDC issuer: must not have a query string');
  checkUrl('OIDC redirect URI', options.redirectUri, problems);
  if (!options.clientId) problems.push('OIDC client id: required');
  if (Boolean(options.clientSecret) === Boolean(options.clientPrivateKey)) {
    problems.push('OIDC client authentication: give exactly one of a client secret or a private key');
  }
  const acrLevels = options.acrLevels ?? DEFAULT_ACR_LEVELS;
  if (Object.keys(acrLevels).length === 0) problems.push('OIDC acr levels: at least one acr value must map to a level');
  for (const [acr, level] of Object.entries(acrLevels)) {
    if (![1, 2, 3, 4].includes(level)) problems.push(`OIDC acr levels: ${acr} maps to ${level}; levels are 1..4`);
  }
  const scope = options.scope ?? DEFAULT_SCOPE;
  if (!scope.split(' ').includes('openid')) problems.push('OIDC scope: must include openid');
  const maxAuthAgeSeconds = options.maxAuthAgeSeconds ?? 600;
  const timeoutSeconds = options.timeoutSeconds ?? 10;
  if (!Number.isInteger(maxAuthAgeSeconds) || maxAuthAgeSeconds < 1) problems.push('OIDC max auth age: must be a positive whole number of seconds');
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) problems.push('OIDC timeout: must be a positive whole number of seconds');
  if (problems.length > 0 || !issuer) throw new ConfigError(problems);
  return {
    // Discovery checks the provider's metadata names this issuer; the reference uses the provider's own spelling.
    issuer: options.issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret || undefined,
    clientPrivateKey: options.clientPrivateKey,
    redirectUri: options.redirectUri,
    acrLevels: { ...acrLevels },
    scope,
    maxAuthAgeSeconds,
    timeoutSeconds,
    allowHttp: issuer.protocol === 'http:',
    now: options.now ?? (() => new Date()),
  };
}

function parseAcrLevels(value: string, problems: string[]): Record<string, AssuranceLevel> {
  const levels: Record<string, AssuranceLevel> = {};
  for (const pair of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    const acr = pair.slice(0, at).trim();
    const level = Number(pair.slice(at + 1));
    if (at <= 0 || !acr || ![1, 2, 3, 4].includes(level)) {
      problems.push(`OIDC_ACR_LEVELS: expected acr=level pairs separated by commas (level 1..4); got ${JSON.stringify(pair)}`);
    } else {
      levels[acr] = level as AssuranceLevel;
    }
  }
  return levels;
}

function wholeSeconds(name: string, value: string | undefined, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) problems.push(`${name}: must be a positive whole number of seconds; got ${JSON.stringify(value)}`);
  return n;
}

/**
 * The OIDC method's settings from the environment, or undefined when OIDC_ISSUER is not set (the
 * method is then off). Empty variables count as unset, as in the hub's other configuration.
 *   OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET (required together)
 *   OIDC_REDIRECT_URI      default HUB_PUBLIC_URL + /login/oidc/callback
 *   OIDC_ACR_LEVELS        default urn:openmydata:loa:2=2
 *   OIDC_SCOPE             default "openid national_id"
 *   OIDC_MAX_AUTH_AGE_SECONDS (600), OIDC_TIMEOUT_SECONDS (10)
 */
export function oidcOptionsFromEnv(env: NodeJS.ProcessEnv, hubPublicUrl: string): OidcMethodOptions | undefined {
  const get = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const issuer = get('OIDC_ISSUER');
  if (issuer === undefined) return undefined;
  const problems: string[] = [];
  const clientId = get('OIDC_CLIENT_ID');
  const clientSecret = get('OIDC_CLIENT_SECRET');
  if (!clientId) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
  if (!clientSecret) problems.push('OIDC_CLIENT_SECRET: required when OIDC_ISSUER is set');
  const acrLevels = get('OIDC_ACR_LEVELS');
  const options: OidcMethodOptions = {
    issuer,
    clientId: clientId ?? '',
    clientSecret: clientSecret ?? '',
    redirectUri: get('OIDC_REDIRECT_URI') ?? `${hubPublicUrl.replace(/\/$/, '')}${CALLBACK_PATH}`,
    ...(acrLevels !== undefined ? { acrLevels: parseAcrLevels(acrLevels, problems) } : {}),
    ...(get('OIDC_SCOPE') !== undefined ? { scope: get('OIDC_SCOPE') } : {}),
    maxAuthAgeSeconds: wholeSeconds('OIDC_MAX_AUTH_AGE_SECONDS', get('OIDC_MAX_AUTH_AGE_SECONDS'), 600, problems),
    timeoutSeconds: wholeSeconds('OIDC_TIMEOUT_SECONDS', get('OIDC_TIMEOUT_SECONDS'), 10, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  // Checks the rest (URLs, levels) and reports it the same way.
  resolveOidcOptions(options);
  return options;
}
