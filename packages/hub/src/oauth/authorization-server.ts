// The authorization server for services: oidc-provider 9 configured to the FAPI 2.0 Security
// Profile and nothing more. Each line of the configuration below is one rule of that profile or of
// the hub: pushed authorization requests only (RFC 9126), PKCE S256, private_key_jwt, DPoP-bound
// access tokens (RFC 9449), iss in the authorization response (RFC 9207), codes for 60 s and once,
// the authorization code grant alone (no implicit, password or refresh tokens), and one
// authorization_details type (RFC 9396) naming a registered service and its data sets. Its state is
// in the hub's database (kysely-adapter.ts), so any hub process serves any step.
import { hkdfSync } from 'node:crypto';
import Provider, { type ClientMetadata, type Configuration, errors, interactionPolicy, type PromptList, type ProviderContext } from 'oidc-provider';
import type { CatalogueService } from '../catalog/catalogue-service.ts';
import type { ServiceDirectory } from '../catalog/service-repository.ts';
import { currentSigningJwk } from '../keys/hub-keys.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/database.ts';
import { checkTransferDetail, DetailsRefused, parseRequestedDetails, TRANSFER_DETAILS_TYPE } from './authorization-details.ts';
import { createAdapterFactory } from './kysely-adapter.ts';
import { renderOAuthError } from './oauth-error-page.ts';
import { parseTransferHandle } from './transfer-handle.ts';

export interface AuthorizationServerDeps {
  db: Db;
  secret: Buffer;
  publicUrl: string;
  directory: ServiceDirectory;
  catalogue: Pick<CatalogueService, 'dataset'>;
  logger: Logger;
  /** How long an access token stays usable: as long as its delivery may wait (8 h at most). */
  accessTokenTtlSeconds: number;
}

export interface AuthorizationServer {
  provider: Provider;
  issuer: string;
  /** The resource indicator of every access token: the data endpoint. */
  dataEndpoint: string;
}

/** Where a person's browser goes to sign in and consent (the portal's page for an interaction). */
export const CONSENT_PATH = '/services/consent';

export const OAUTH_ROUTES = {
  authorization: '/oauth/authorize',
  pushed_authorization_request: '/oauth/par',
  token: '/oauth/token',
  jwks: '/oauth/jwks',
  // Disabled features keep a route name oidc-provider insists on; none of these is served.
  end_session: '/oauth/end-session',
  userinfo: '/oauth/userinfo',
  revocation: '/oauth/revocation',
  introspection: '/oauth/introspection',
  registration: '/oauth/registration',
  device_authorization: '/oauth/device',
  code_verification: '/oauth/device/verify',
  backchannel_authentication: '/oauth/backchannel',
  challenge: '/oauth/challenge',
  credential: '/oauth/credential',
} as const;

const SIGNING_ALGS = ['ES256', 'PS256', 'EdDSA'];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * oidc-provider refuses to fetch from special-use addresses (SSRF protection), loopback included.
 * A hub that itself serves on loopback (development, the demo, tests) talks to services on the same
 * machine, so loopback targets are let through there, and only there.
 */
function loopbackFetch(issuer: string): Configuration['fetch'] {
  if (!LOOPBACK_HOSTS.has(new URL(issuer).hostname)) return undefined;
  return (url, options) => {
    if (!LOOPBACK_HOSTS.has(new URL(url).hostname)) return fetch(url, options);
    const { dispatcher: _protected, ...rest } = options as RequestInit & { dispatcher?: unknown };
    return fetch(url, rest);
  };
}

function derive(secret: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `openmydata oauth ${label}`, 32));
}

/**
 * Login and consent every time: a session left from an earlier transfer never authorizes a new one,
 * and the portal's consent page answers both prompts at once.
 */
function everyTimePolicy(): PromptList {
  const policy = interactionPolicy.base();
  const { Check } = interactionPolicy;
  policy
    .get('login')
    ?.checks.add(
      new Check('every_transfer', 'every transfer is consented to by the person, signed in on the portal', 'login_required', (ctx) =>
        ctx.oidc.result?.login ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT,
      ),
    );
  return policy;
}

export async function createAuthorizationServer(deps: AuthorizationServerDeps): Promise<AuthorizationServer> {
  const issuer = deps.publicUrl;
  const dataEndpoint = `${deps.publicUrl}/api/v1/service/data`;
  const signingJwk = await currentSigningJwk(deps.db, deps.secret, 'service-authorization');

  const clientMetadata = async (clientId: string): Promise<ClientMetadata | undefined> => {
    const provider = await deps.directory.provider(clientId);
    if (!provider) return undefined;
    return {
      client_id: provider.clientId,
      client_name: provider.name.en,
      redirect_uris: provider.redirectUris,
      ...(provider.jwks ? { jwks: provider.jwks as ClientMetadata['jwks'] } : { jwks_uri: provider.jwksUri as string }),
      token_endpoint_auth_method: 'private_key_jwt',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      dpop_bound_access_tokens: true,
      // No ID tokens are issued; oidc-provider still wants an algorithm it supports named.
      id_token_signed_response_alg: 'ES256',
      authorization_details_types: [TRANSFER_DETAILS_TYPE],
    };
  };

  /** The pushed request must say what it wants, in one detail, and must not ask for an ID token. */
  const checkPushedRequest = (ctx: ProviderContext) => {
    if (ctx.oidc.route !== 'pushed_authorization_request') return;
    const details = parseRequestedDetails(ctx.oidc.params?.authorization_details);
    if (details?.length !== 1)
      throw new errors.InvalidRequest(`authorization_details must hold exactly one ${TRANSFER_DETAILS_TYPE} detail naming the service and its data sets`);
    const scope = ctx.oidc.params?.scope;
    if (typeof scope === 'string' && scope.split(' ').includes('openid'))
      throw new errors.InvalidScope('this server issues no ID tokens: ask with authorization_details alone', 'openid');
  };

  const configuration: Configuration = {
    adapter: createAdapterFactory({ db: deps.db, key: derive(deps.secret, 'adapter'), client: clientMetadata }),
    // The account of an authorization is one transfer (transfer-handle.ts), never a person.
    async findAccount(_ctx, id) {
      const handle = parseTransferHandle(id);
      if (!handle) return undefined;
      return { accountId: id, claims: () => ({ sub: handle.retrievalId }) };
    },
    jwks: { keys: [signingJwk] },
    cookies: {
      keys: [derive(deps.secret, 'cookies').toString('base64url')],
      short: { httpOnly: true, sameSite: 'lax', secure: issuer.startsWith('https:'), signed: true },
      long: { httpOnly: true, sameSite: 'lax', secure: issuer.startsWith('https:'), signed: true },
      names: { session: 'omd_oauth_session', interaction: 'omd_oauth_interaction', resume: 'omd_oauth_resume' },
    },
    scopes: [],
    responseTypes: ['code'],
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: SIGNING_ALGS,
      dPoPSigningAlgValues: SIGNING_ALGS,
      idTokenSigningAlgValues: ['ES256'],
      requestObjectSigningAlgValues: SIGNING_ALGS,
    },
    pkce: { required: () => true },
    features: {
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true, allowUnregisteredRedirectUris: false },
      dPoP: { enabled: true },
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: false },
      claimsParameter: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => dataEndpoint,
        useGrantedResource: () => true,
        async getResourceServerInfo(ctx: ProviderContext, resource: string) {
          checkPushedRequest(ctx);
          if (resource !== dataEndpoint) throw new errors.InvalidTarget(`the only resource is ${dataEndpoint}`);
          return { scope: '', audience: dataEndpoint, accessTokenFormat: 'opaque', accessTokenTTL: deps.accessTokenTtlSeconds };
        },
      },
      richAuthorizationRequests: {
        enabled: true,
        types: {
          [TRANSFER_DETAILS_TYPE]: {
            async validate(ctx: ProviderContext, detail: Record<string, unknown>) {
              const clientId = ctx.oidc.client?.clientId ?? '';
              try {
                await checkTransferDetail(detail, clientId, deps);
              } catch (error) {
                if (error instanceof DetailsRefused) throw new errors.InvalidAuthorizationDetails(error.message);
                throw error;
              }
            },
          },
        },
        // The code and the token carry what was asked for, and which transfer it became.
        authorizationDetailsForGrantSource(ctx: ProviderContext, code: { accountId?: string }) {
          const details = parseRequestedDetails(ctx.oidc.params?.authorization_details) ?? [];
          const transfer = parseTransferHandle(code.accountId ?? '')?.retrievalId;
          return details.map((d) => ({ ...d, ...(transfer ? { transfer } : {}) }));
        },
        authorizationDetailsForAccessToken(_ctx: ProviderContext, _token: unknown, source: { rar?: unknown[] }) {
          return source.rar ?? [];
        },
        authorizationDetailsForIntrospection() {
          return [];
        },
      },
    },
    ttl: {
      PushedAuthorizationRequest: 60,
      AuthorizationCode: 60,
      // Long enough to sign in with two methods on a first visit.
      Interaction: 30 * 60,
      Session: 30 * 60,
      Grant: 10 * 60,
      IdToken: 60,
      AccessToken: deps.accessTokenTtlSeconds,
    },
    interactions: { url: (_ctx, interaction) => `${CONSENT_PATH}/${interaction.uid}`, policy: everyTimePolicy() },
    routes: { ...OAUTH_ROUTES },
    clientBasedCORS: () => false,
    ...(loopbackFetch(issuer) ? { fetch: loopbackFetch(issuer) } : {}),
    renderError: renderOAuthError,
    discovery: {
      // Where the one data call goes (also the resource indicator of every access token).
      openmydata_data_endpoint: dataEndpoint,
      service_documentation: `${deps.publicUrl}/services`,
      ui_locales_supported: ['zh-TW', 'en'],
    },
  };
  const provider = new Provider(issuer, configuration);
  // Every address it builds (endpoints, redirects, the htu a DPoP proof must name) is the
  // issuer's, whatever host the request came in on: the surface sets X-Forwarded-Host/-Proto.
  provider.proxy = true;
  provider.on('server_error', (_ctx: unknown, error: unknown) => {
    deps.logger.error({ err: error }, 'authorization server error');
  });
  // What a service was refused and why (the internal detail never reaches the service, whose
  // description stays generic for client authentication): for the operator helping it.
  for (const event of ['pushed_authorization_request.error', 'authorization.error', 'grant.error', 'discovery.error', 'jwks.error']) {
    provider.on(event, (ctx: unknown, error: unknown) => {
      const e = error as { error?: string; error_description?: string; error_detail?: string };
      const clientId = (ctx as ProviderContext | undefined)?.oidc?.client?.clientId;
      deps.logger.info(
        { event, client: clientId, error: e.error, description: e.error_description, detail: e.error_detail },
        'authorization server refused a request',
      );
    });
  }
  return { provider, issuer, dataEndpoint };
}
