// The whole client side of the Service API on openid-client and jose: the pushed authorization
// request naming the service and its data sets, the callback, the code redeemed with DPoP, the one
// data call (polling while agencies prepare), the delivery decrypted and every agency package
// checked, and the webhook verified. Nothing here is custom cryptography: discovery, PAR, PKCE,
// private_key_jwt and DPoP are openid-client's; JWE and JWT are jose's.
import { createRemoteJWKSet, exportJWK, importJWK, type JWK, type JWTVerifyGetKey, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { AuthorizationRefused, DataCallError, DeliveryError, ServiceSdkError } from './errors.ts';
import { HubCatalogue } from './hub-catalogue.ts';
import { openDelivery } from './open-delivery.ts';
import type { Authorization, DataResult, Delivery, PendingAuthorization, ServiceKeys, WebhookEvent } from './types.ts';

export const TRANSFER_DETAILS_TYPE = 'openmydata_transfer';
const WEBHOOK_TYPE = 'openmydata-webhook+jwt';

export interface ServiceClientOptions {
  /** The hub's issuer, e.g. https://mydata.example.tw (discovery is read from it). */
  hub: string;
  clientId: string;
  /** One of the redirect URIs the provider registered, exactly. */
  redirectUri: string;
  keys: ServiceKeys;
  /** Plain http:// to the hub: for development and the demo only. */
  allowInsecureRequests?: boolean;
  fetch?: typeof fetch;
}

type KeyPair = { privateKey: oauth.CryptoKey; publicKey: oauth.CryptoKey };

function signingAlg(key: JWK): 'ES256' | 'PS256' | 'EdDSA' {
  if (key.alg === 'PS256' || (key.alg === undefined && key.kty === 'RSA')) return 'PS256';
  if (key.alg === 'EdDSA' || (key.alg === undefined && key.kty === 'OKP')) return 'EdDSA';
  if (key.alg === 'ES256' || (key.alg === undefined && key.kty === 'EC')) return 'ES256';
  throw new ServiceSdkError('the signing key must be EC P-256 (ES256), RSA (PS256) or Ed25519 (EdDSA)');
}

async function importPair(pair: { privateJwk: JWK; publicJwk: JWK }): Promise<KeyPair> {
  const [privateKey, publicKey] = await Promise.all([importJWK(pair.privateJwk, 'ES256'), importJWK(pair.publicJwk, 'ES256')]);
  return { privateKey: privateKey as oauth.CryptoKey, publicKey: publicKey as oauth.CryptoKey };
}

export class ServiceClient {
  private readonly catalogue: HubCatalogue;
  private webhookKeys: JWTVerifyGetKey | undefined;

  private constructor(
    private readonly config: oauth.Configuration,
    private readonly options: ServiceClientOptions,
    readonly issuer: string,
    readonly dataEndpoint: string,
  ) {
    this.catalogue = new HubCatalogue(issuer.endsWith('/') ? issuer : `${issuer}/`, options.fetch ?? fetch);
  }

  /** Reads the hub's discovery document and prepares client authentication (private_key_jwt). */
  static async create(options: ServiceClientOptions): Promise<ServiceClient> {
    const alg = signingAlg(options.keys.signing);
    const key = (await importJWK(options.keys.signing, alg)) as oauth.CryptoKey;
    const auth = oauth.PrivateKeyJwt({ key, ...(options.keys.signing.kid ? { kid: options.keys.signing.kid } : {}) });
    const config = await oauth.discovery(new URL(options.hub), options.clientId, { redirect_uris: [options.redirectUri] }, auth, {
      ...(options.allowInsecureRequests ? { execute: [oauth.allowInsecureRequests] } : {}),
      ...(options.fetch ? { [oauth.customFetch]: options.fetch as unknown as oauth.CustomFetch } : {}),
    });
    const metadata = config.serverMetadata();
    const issuer = metadata.issuer;
    const dataEndpoint =
      typeof metadata.openmydata_data_endpoint === 'string' ? metadata.openmydata_data_endpoint : `${issuer.replace(/\/$/, '')}/api/v1/service/data`;
    return new ServiceClient(config, options, issuer, dataEndpoint);
  }

  /**
   * Pushes the authorization request (PAR) and returns where to send the person's browser, with
   * what to keep in their session until the callback.
   */
  async pushAuthorization(input: { service: string; datasets: string[] }): Promise<{ url: URL; pending: PendingAuthorization }> {
    const pair = (await oauth.randomDPoPKeyPair('ES256', { extractable: true })) as KeyPair;
    const codeVerifier = oauth.randomPKCECodeVerifier();
    const state = oauth.randomState();
    const url = await oauth.buildAuthorizationUrlWithPAR(
      this.config,
      {
        redirect_uri: this.options.redirectUri,
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        authorization_details: JSON.stringify([{ type: TRANSFER_DETAILS_TYPE, service: input.service, datasets: input.datasets }]),
      },
      { DPoP: oauth.getDPoPHandle(this.config, pair) },
    );
    const [privateJwk, publicJwk] = await Promise.all([exportJWK(pair.privateKey), exportJWK(pair.publicKey)]);
    return { url, pending: { state, codeVerifier, dpopKey: { privateJwk, publicJwk }, service: input.service, datasets: [...input.datasets] } };
  }

  /**
   * The person is back at the redirect URI: checks the response (state, iss), redeems the code with
   * PKCE and DPoP. Throws AuthorizationRefused (error access_denied when the person said no).
   */
  async handleCallback(callbackUrl: URL | string, pending: PendingAuthorization): Promise<Authorization> {
    const dpop = oauth.getDPoPHandle(this.config, await importPair(pending.dpopKey));
    let tokens: Awaited<ReturnType<typeof oauth.authorizationCodeGrant>>;
    try {
      tokens = await oauth.authorizationCodeGrant(
        this.config,
        new URL(callbackUrl),
        { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state },
        undefined,
        { DPoP: dpop },
      );
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) throw new AuthorizationRefused(error.error, error.error_description);
      if (error instanceof oauth.ResponseBodyError) throw new AuthorizationRefused(error.error, error.error_description);
      throw error;
    }
    const details = (tokens.authorization_details ?? []) as Array<{ type?: string; transfer?: string }>;
    const transfer = details.find((d) => d.type === TRANSFER_DETAILS_TYPE)?.transfer;
    if (typeof transfer !== 'string') throw new ServiceSdkError('the token response names no transfer');
    return {
      accessToken: tokens.access_token,
      dpopKey: pending.dpopKey,
      transfer,
      service: pending.service,
      datasets: pending.datasets,
      expiresAt: new Date(Date.now() + (tokens.expires_in ?? 0) * 1000).toISOString(),
    };
  }

  /** One data call: the delivery (decrypted and checked), or that agencies are still preparing. */
  async fetchData(authorization: Authorization): Promise<DataResult> {
    const dpop = oauth.getDPoPHandle(this.config, await importPair(authorization.dpopKey));
    let res: Response;
    try {
      res = await oauth.fetchProtectedResource(this.config, authorization.accessToken, new URL(this.dataEndpoint), 'POST', undefined, undefined, {
        DPoP: dpop,
      });
    } catch (error) {
      if (error instanceof oauth.WWWAuthenticateChallengeError) {
        const body = (await error.response.json().catch(() => ({}))) as { error?: string; error_description?: string };
        const params = error.cause[0]?.parameters ?? {};
        throw new DataCallError(error.status, body.error ?? params.error ?? 'invalid_token', body.error_description ?? params.error_description);
      }
      throw error;
    }
    if (res.status === 202) {
      const body = (await res.json()) as { retry_after?: number; datasets?: Array<{ dataset: string; state: string }> };
      return { status: 'preparing', retryAfterSeconds: Number(res.headers.get('retry-after') ?? body.retry_after ?? 2), datasets: body.datasets ?? [] };
    }
    if (res.status === 200) return { status: 'delivered', delivery: await this.openDelivery(await res.text()) };
    const problem = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    throw new DataCallError(
      res.status,
      String(problem.code ?? problem.error ?? 'data_call_failed'),
      typeof problem.detail === 'string' ? problem.detail : typeof problem.error_description === 'string' ? problem.error_description : undefined,
      problem,
    );
  }

  /** Calls until the delivery arrives, waiting as the hub's Retry-After says. */
  async waitForData(authorization: Authorization, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Delivery> {
    const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
    for (;;) {
      const result = await this.fetchData(authorization);
      if (result.status === 'delivered') return result.delivery;
      const wait = result.retryAfterSeconds * 1000;
      if (Date.now() + wait > deadline) throw new ServiceSdkError('the agencies were still preparing when the wait ended; call again later');
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, wait);
        options.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(options.signal?.reason);
        });
      });
    }
  }

  /** Decrypts a delivery with the service's key and checks every agency package against its agency's keys. */
  async openDelivery(jwe: string): Promise<Delivery> {
    return openDelivery(jwe, { encryptionKey: this.options.keys.encryption, issuer: this.issuer, clientId: this.options.clientId, catalogue: this.catalogue });
  }

  /** Checks a webhook's signed JWT (the hub's keys from discovery, iss, aud, type, age) and says what happened. */
  async verifyWebhook(jwt: string): Promise<WebhookEvent> {
    const jwksUri = this.config.serverMetadata().jwks_uri;
    if (!jwksUri) throw new ServiceSdkError('the hub publishes no jwks_uri');
    this.webhookKeys ??= createRemoteJWKSet(new URL(jwksUri));
    try {
      const { payload } = await jwtVerify(jwt, this.webhookKeys, {
        issuer: this.issuer,
        audience: this.options.clientId,
        typ: WEBHOOK_TYPE,
        algorithms: ['ES256'],
        maxTokenAge: '10m',
      });
      if ((payload.event !== 'delivery.ready' && payload.event !== 'delivery.failed') || typeof payload.transfer !== 'string')
        throw new DeliveryError('the webhook names no event and transfer');
      return { event: payload.event, transfer: payload.transfer, service: String(payload.service ?? '') };
    } catch (error) {
      if (error instanceof ServiceSdkError) throw error;
      throw new DeliveryError(`the webhook is not a valid JWT from ${this.issuer} (${(error as Error).name})`);
    }
  }
}
