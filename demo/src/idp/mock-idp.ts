// A mock national identity provider (the part a mobile ID plays in real life), as its own HTTP
// server: an OpenID Connect provider built on oidc-provider, authorization code flow with PKCE
// S256 required, a sign-in page standing in for the mobile ID app, and ID tokens asserting the
// person's national ID with acr urn:openmydata:loa:2. Signing keys, cookie keys and subject keys
// are made at start and live in memory only; nothing about anyone is written to disk.
import { generateKeyPairSync, type JsonWebKey, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata, type Configuration, type ErrorOut, interactionPolicy, type PromptList, type ProviderContext } from 'oidc-provider';
import { type Citizen, CITIZENS, DEMO_PERSONAS } from '../population/citizens.ts';
import { createAccountDirectory } from './accounts.ts';
import { claimsByScope, LOA_MOBILE_ID, SUPPORTED_SCOPES } from './claims.ts';
import { createConfirmationCodes } from './confirmation-code.ts';
import { renderMessagePage, STYLE_HASH } from './interaction-page.ts';
import { handleInteraction, type InteractionDeps } from './interaction-routes.ts';
import { createMemoryAdapterFactory } from './memory-adapter.ts';

export interface MockIdpClient {
  client_id: string;
  /** Client authentication with client_secret_basic (or _post). */
  client_secret?: string;
  /** Client authentication with private_key_jwt: the client's public keys. */
  jwks?: { keys: JsonWebKey[] };
  redirect_uris: string[];
  /** Shown on the sign-in page ("… asks you to sign in"). */
  client_name?: string;
}

export interface MockIdpOptions {
  /** 0 picks a free port. */
  port: number;
  /** Listening address; 127.0.0.1 unless told. */
  host?: string;
  /** The issuer identifier; http://HOST:PORT unless told (e.g. a public https URL in front of it). */
  issuer?: string;
  clients: MockIdpClient[];
  /** Who has a mobile ID; the demo's synthetic citizens unless told. */
  population?: readonly Citizen[];
  /** Makes `sub` values stable across restarts; random per process unless told. */
  subjectSecret?: Buffer;
  /** Behind a TLS-terminating proxy: believe its X-Forwarded-Proto/Host when building URLs. */
  trustProxy?: boolean;
}

export interface RunningMockIdp {
  /** Where the server listens. */
  url: string;
  issuer: string;
  close(): Promise<void>;
}

export class MockIdpConfigError extends Error {
  override readonly name = 'MockIdpConfigError';
}

function toClientMetadata(client: MockIdpClient): ClientMetadata {
  if (!client.client_id) throw new MockIdpConfigError('every client needs a client_id');
  if (client.redirect_uris.length === 0) throw new MockIdpConfigError(`client ${client.client_id}: at least one redirect URI is needed`);
  for (const uri of client.redirect_uris) {
    if (!URL.canParse(uri)) throw new MockIdpConfigError(`client ${client.client_id}: redirect URI is not a URL: ${uri}`);
  }
  if (Boolean(client.client_secret) === Boolean(client.jwks)) {
    throw new MockIdpConfigError(`client ${client.client_id}: give exactly one of client_secret or jwks (private_key_jwt)`);
  }
  return {
    client_id: client.client_id,
    redirect_uris: client.redirect_uris,
    ...(client.client_name ? { client_name: client.client_name } : {}),
    ...(client.client_secret
      ? { client_secret: client.client_secret, token_endpoint_auth_method: 'client_secret_basic' }
      : { jwks: client.jwks, token_endpoint_auth_method: 'private_key_jwt' }),
  };
}

function signingKey(): JsonWebKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'ES256', use: 'sig' };
}

/** oidc-provider's error page, in the same look and languages as the sign-in page. Only the public OAuth error is shown. */
function renderError(ctx: ProviderContext, out: ErrorOut): void {
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', `default-src 'none'; style-src '${STYLE_HASH}'; base-uri 'none'; frame-ancestors 'none'`);
  ctx.set('Cache-Control', 'no-store');
  const detail = `${out.error}${out.error_description ? `: ${out.error_description}` : ''}`;
  ctx.body = renderMessagePage(
    { zh: '無法完成登入', en: 'The sign-in could not be completed' },
    {
      zh: `請回到原本的網站重新開始登入。（${detail}）`,
      en: `Go back to the website you came from and start again. (${detail})`,
    },
  );
}

/**
 * oidc-provider's default policy (login, then consent) plus one rule: every authorization request
 * is confirmed in the app, even when the browser still has a session at the IdP and the relying
 * party did not send prompt=login. A mobile ID never signs someone in silently.
 */
function alwaysConfirmInApp(): PromptList {
  const policy = interactionPolicy.base();
  const { Check } = interactionPolicy;
  policy
    .get('login')
    ?.checks.add(
      new Check('confirm_in_app', 'every sign-in is confirmed in the mobile ID app', 'login_required', (ctx) =>
        ctx.oidc.result?.login ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT,
      ),
    );
  return policy;
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startMockIdp(options: MockIdpOptions): Promise<RunningMockIdp> {
  const host = options.host ?? '127.0.0.1';
  const clients = options.clients.map(toClientMetadata);
  const population = options.population ?? CITIZENS;
  const accounts = createAccountDirectory(population, options.subjectSecret ?? randomBytes(32));
  const names = new Map(options.clients.map((c) => [c.client_id, c.client_name ?? c.client_id]));

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else {
      res.statusCode = 503;
      res.end();
    }
  });
  const address = await listen(server, options.port, host);
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const issuer = (options.issuer ?? url).replace(/\/$/, '');

  const configuration: Configuration = {
    adapter: createMemoryAdapterFactory(),
    clients,
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
      subject_type: 'pairwise',
    },
    async findAccount(_ctx, id) {
      const account = accounts.byAccountId(id);
      if (!account) return undefined;
      return { accountId: account.accountId, claims: () => ({ sub: account.accountId, national_id: account.nationalId, name: account.name }) };
    },
    pairwiseIdentifier: (_ctx, accountId, client) => accounts.pairwiseSubject(accountId, client.sectorIdentifier ?? client.clientId),
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: claimsByScope(),
    scopes: [...SUPPORTED_SCOPES],
    acrValues: [LOA_MOBILE_ID],
    subjectTypes: ['pairwise'],
    responseTypes: ['code'],
    // The relying party reads national_id from the ID token; it need not call userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: alwaysConfirmInApp() },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: true },
    },
    ttl: { AccessToken: 300, AuthorizationCode: 60, IdToken: 300, Interaction: 600, Session: 600, Grant: 600 },
    renderError,
  };
  let provider: Provider;
  try {
    provider = new Provider(issuer, configuration);
  } catch (error) {
    server.close();
    throw error;
  }
  provider.proxy = options.trustProxy ?? false;
  provider.on('server_error', (_ctx: unknown, error: unknown) => {
    process.stderr.write(`mock IdP error: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
  });

  const deps: InteractionDeps = {
    provider,
    accounts,
    codes: createConfirmationCodes(randomBytes(32)),
    clientName: (clientId) => names.get(clientId) ?? clientId,
    supportedScopes: SUPPORTED_SCOPES,
    demoIds: DEMO_PERSONAS.filter((p) => accounts.byNationalId(p.nationalId)).map((p) => ({ nationalId: p.nationalId, label: p.name })),
  };
  const oidc = provider.callback();
  handler = (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://idp.invalid').pathname;
    if (pathname === '/healthz') {
      res.setHeader('Content-Type', 'text/plain');
      res.end('ok\n');
      return;
    }
    handleInteraction(deps, req, res, pathname).then(
      (handled) => {
        if (!handled) oidc(req, res);
      },
      () => {
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      },
    );
  };

  return {
    url,
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
