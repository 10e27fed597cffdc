// How the hub is set up as a WebAuthn relying party: from code (createPasskeyMethod) or from the
// environment (passkeyOptionsFromEnv). Checked once at start-up; a bad value stops the hub.
import { ConfigError } from '../../config.ts';
import type { Db } from '../../store/database.ts';

export interface PasskeyMethodOptions {
  db: Db;
  /** HUB_SECRET: seals the national ID stored with each passkey and keys the subject keys. */
  secret: Buffer;
  /** The relying party id: the hub's domain name (a passkey works only on it and its subdomains). */
  rpId: string;
  /** Shown by the browser and the authenticator next to the passkey. */
  rpName: string;
  /** The hub's web origin as the browser sees it, e.g. https://mydata.example.tw. */
  origin: string;
  /** The hub's clock; tests move it. */
  now?: () => Date;
}

export interface ResolvedPasskeyOptions {
  db: Db;
  secret: Buffer;
  rpId: string;
  rpName: string;
  origin: string;
  now: () => Date;
}

const MIN_SECRET_BYTES = 32;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

function checkOrigin(value: string, problems: string[]): URL | undefined {
  if (!URL.canParse(value)) {
    problems.push(`PASSKEY_ORIGIN: must be an origin such as https://mydata.example.tw; got ${JSON.stringify(value)}`);
    return undefined;
  }
  const url = new URL(value);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackName(url.hostname))) {
    problems.push('PASSKEY_ORIGIN: must use https (plain http only for localhost, where browsers allow passkeys)');
  }
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    problems.push('PASSKEY_ORIGIN: must be an origin only (scheme, host, port), without path, query or credentials');
  }
  return url;
}

/** The problems with a relying-party setting, and the origin normalised when it parses. */
function checkRelyingParty(rpId: string, originValue: string, rpName: string, problems: string[]): string | undefined {
  // WebAuthn takes a registrable domain here, never an IP address or a URL.
  if (!DOMAIN.test(rpId) || IPV4.test(rpId))
    problems.push(`PASSKEY_RP_ID: must be a lower-case domain name such as mydata.example.tw or localhost; got ${JSON.stringify(rpId)}`);
  const origin = checkOrigin(originValue, problems);
  if (origin && DOMAIN.test(rpId) && origin.hostname !== rpId && !origin.hostname.endsWith(`.${rpId}`)) {
    problems.push(`PASSKEY_RP_ID: ${rpId} must be the host of PASSKEY_ORIGIN (${origin.hostname}) or a parent domain of it`);
  }
  if (!rpName.trim()) problems.push('PASSKEY_RP_NAME: must not be empty');
  return origin?.origin;
}

export function resolvePasskeyOptions(options: PasskeyMethodOptions): ResolvedPasskeyOptions {
  const problems: string[] = [];
  const origin = checkRelyingParty(options.rpId, options.origin, options.rpName, problems);
  if (options.secret.length < MIN_SECRET_BYTES) problems.push(`passkey secret: at least ${MIN_SECRET_BYTES} bytes (the hub secret)`);
  if (problems.length > 0 || origin === undefined) throw new ConfigError(problems);
  return { db: options.db, secret: options.secret, rpId: options.rpId, rpName: options.rpName.trim(), origin, now: options.now ?? (() => new Date()) };
}

/**
 * PASSKEY_ORIGIN (default: the origin of the hub's public URL), PASSKEY_RP_ID (default: that
 * origin's host name, so `localhost` for the default http://localhost:3000) and PASSKEY_RP_NAME
 * (default OpenMyData). Problems are reported together as a ConfigError.
 */
export function passkeyOptionsFromEnv(env: NodeJS.ProcessEnv, publicUrl: string): { rpId: string; rpName: string; origin: string } {
  const originValue = env.PASSKEY_ORIGIN ?? (URL.canParse(publicUrl) ? new URL(publicUrl).origin : publicUrl);
  const rpId = env.PASSKEY_RP_ID ?? (URL.canParse(originValue) ? new URL(originValue).hostname : 'localhost');
  const rpName = env.PASSKEY_RP_NAME ?? 'OpenMyData';
  const problems: string[] = [];
  const origin = checkRelyingParty(rpId, originValue, rpName, problems);
  if (problems.length > 0 || origin === undefined) throw new ConfigError(problems);
  return { rpId, rpName: rpName.trim(), origin };
}
