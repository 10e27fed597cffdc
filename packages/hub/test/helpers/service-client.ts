// A service provider for tests, built from openid-client alone (no service SDK): its keys, its
// registration with the hub, the pushed authorization request, the person's visit to the portal
// (over HTTP, with a real portal session), the code redemption with DPoP and the data call. Bad-input
// tests reuse the pieces and break one at a time.
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK, SignJWT } from 'jose';
import * as client from 'openid-client';

type KeyPair = { publicKey: CryptoKey; privateKey: CryptoKey };
import { upsertProvider } from '../../src/catalog/service-repository.ts';
import { serviceProviderSchema } from '../../src/catalog/service-registry.ts';
import type { Hub } from '../../src/hub.ts';
import type { PortalClient } from './portal-client.ts';

export interface ServiceKeys {
  signing: { publicKey: CryptoKey; privateKey: CryptoKey; kid: string };
  encryption: { publicKey: CryptoKey; privateKey: CryptoKey; kid: string };
  jwks: { keys: JWK[] };
}

export async function serviceKeys(): Promise<ServiceKeys> {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const encryption = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
  const sig = { ...(await exportJWK(signing.publicKey)), kid: `sig-${randomUUID().slice(0, 8)}`, use: 'sig', alg: 'ES256' };
  const enc = { ...(await exportJWK(encryption.publicKey)), kid: `enc-${randomUUID().slice(0, 8)}`, use: 'enc', alg: 'ECDH-ES+A256KW' };
  return {
    signing: { ...signing, kid: sig.kid },
    encryption: { ...encryption, kid: enc.kid },
    jwks: { keys: [sig, enc] },
  };
}

export interface TestService {
  clientId: string;
  serviceId: string;
  redirectUri: string;
  datasets: string[];
  keys: ServiceKeys;
}

/** Registers a provider with one service straight in the hub's database (the CLI's own path is tested on its own). */
export async function registerService(
  hub: Pick<Hub, 'db' | 'services'>,
  input: {
    clientId: string;
    serviceId: string;
    datasets: string[];
    redirectUri?: string;
    keys?: ServiceKeys;
    /** Public keys made elsewhere (by the SDK), instead of keys. */
    jwks?: { keys: JWK[] };
    jwksUri?: string;
    webhookUrl?: string;
  },
): Promise<TestService> {
  const keys = input.keys ?? (await serviceKeys());
  const redirectUri = input.redirectUri ?? `https://${input.clientId}.example.test/callback`;
  const entry = serviceProviderSchema.parse({
    client_id: input.clientId,
    name: { 'zh-TW': `測試服務提供者 ${input.clientId}`, en: `Test provider ${input.clientId}` },
    ...(input.jwksUri ? { jwks_uri: input.jwksUri } : { jwks: input.jwks ?? keys.jwks }),
    redirect_uris: [redirectUri],
    services: [
      {
        id: input.serviceId,
        name: { 'zh-TW': `測試服務 ${input.serviceId}`, en: `Test service ${input.serviceId}` },
        start_url: `https://${input.clientId}.example.test/`,
        datasets: input.datasets,
        purpose: { 'zh-TW': '測試用途', en: 'Testing' },
        retention_days: 30,
        privacy_policy_url: `https://${input.clientId}.example.test/privacy`,
        ...(input.webhookUrl ? { webhook_url: input.webhookUrl } : {}),
      },
    ],
  });
  await upsertProvider(hub.db, entry);
  hub.services.directory.invalidate();
  return { clientId: input.clientId, serviceId: input.serviceId, redirectUri, datasets: input.datasets, keys };
}

/** A port free a moment ago: the hub's public URL must name the port it will listen on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function clientConfig(hubUrl: string, service: TestService): Promise<client.Configuration> {
  return client.discovery(
    new URL(hubUrl),
    service.clientId,
    { redirect_uris: [service.redirectUri] },
    client.PrivateKeyJwt(service.keys.signing.privateKey, {
      [client.modifyAssertion]: (header) => {
        header.kid = service.keys.signing.kid;
      },
    }),
    {
      execute: [client.allowInsecureRequests],
    },
  );
}

export interface Pending {
  url: URL;
  state: string;
  verifier: string;
  dpop: client.DPoPHandle;
  dpopKey: KeyPair;
}

/** The pushed authorization request, as a service makes it. */
export async function pushAuthorization(config: client.Configuration, service: TestService, datasets = service.datasets): Promise<Pending> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const dpopKey = await client.randomDPoPKeyPair('ES256');
  const dpop = client.getDPoPHandle(config, dpopKey);
  const url = await client.buildAuthorizationUrlWithPAR(
    config,
    {
      redirect_uri: service.redirectUri,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      authorization_details: JSON.stringify([{ type: 'openmydata_transfer', service: service.serviceId, datasets }]),
    },
    { DPoP: dpop },
  );
  return { url, state, verifier, dpop, dpopKey };
}

/** Cookies the hub sets during an authorization (oidc-provider's interaction and resume cookies). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface PortalVisit {
  /** The consent page as the person saw it. */
  consentPage: string;
  /** Where the hub finally sent the browser: the service's redirect URI with the response. */
  callback: URL;
}

/**
 * The person's part over HTTP: the authorization URL leads to the portal's consent page, the person
 * agrees or refuses, and the hub sends the browser back to the service.
 */
export async function visitPortal(
  authorizationUrl: URL,
  portal: PortalClient,
  decision: 'agree' | 'refuse',
  options: { email?: string } = {},
): Promise<PortalVisit> {
  const jar = new CookieJar();
  const go = async (url: string | URL, init: RequestInit = {}) => {
    const res = await fetch(url, {
      redirect: 'manual',
      ...init,
      headers: { accept: 'text/html', ...(init.headers as Record<string, string>), cookie: [portal.cookie, jar.header()].filter(Boolean).join('; ') },
    });
    jar.take(res);
    return res;
  };
  const authorize = await go(authorizationUrl);
  if (authorize.status !== 303 && authorize.status !== 302) throw new Error(`authorize answered ${authorize.status}: ${await authorize.text()}`);
  const consentUrl = new URL(authorize.headers.get('location') ?? '', authorizationUrl);
  const page = await go(consentUrl);
  const consentPage = await page.text();
  if (page.status !== 200) throw new Error(`the consent page answered ${page.status}: ${consentPage.slice(0, 500)}`);
  const form = new URLSearchParams({ _csrf: portal.csrf, decision, email: options.email ?? '' });
  const posted = await go(consentUrl, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  if (posted.status !== 303) throw new Error(`the consent form answered ${posted.status}: ${(await posted.text()).slice(0, 500)}`);
  const resume = await go(new URL(posted.headers.get('location') ?? '', consentUrl));
  const location = resume.headers.get('location');
  if (!location) throw new Error(`resume answered ${resume.status} without a redirect: ${(await resume.text()).slice(0, 500)}`);
  return { consentPage, callback: new URL(location) };
}

/** A DPoP proof made by hand, for calls the tests shape themselves. */
export async function dpopProof(key: KeyPair, input: { htm: string; htu: string; accessToken?: string; iat?: number; jti?: string }): Promise<string> {
  const { createHash } = await import('node:crypto');
  const jwk = await exportJWK(key.publicKey);
  return new SignJWT({
    htm: input.htm,
    htu: input.htu,
    jti: input.jti ?? randomUUID(),
    ...(input.accessToken ? { ath: createHash('sha256').update(input.accessToken).digest('base64url') } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt(input.iat ?? Math.floor(Date.now() / 1000))
    .sign(key.privateKey);
}

export async function thumbprintOf(key: KeyPair): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(key.publicKey));
}
