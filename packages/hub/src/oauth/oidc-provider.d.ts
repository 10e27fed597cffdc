// The part of oidc-provider 9 the project uses: the hub's authorization server for services
// (oauth/) and the demo's mock identity provider. The package ships no type declarations and
// @types/oidc-provider lags the major version, so we declare only what we call. Widen this file
// rather than add a second `declare module 'oidc-provider'` (two declarations of the same default
// export clash).

declare module 'oidc-provider' {
  import type { JsonWebKey } from 'node:crypto';
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    client_name?: string;
    redirect_uris: string[];
    response_types?: string[];
    grant_types?: string[];
    token_endpoint_auth_method?: string;
    jwks?: { keys: JsonWebKey[] };
    jwks_uri?: string;
    subject_type?: 'public' | 'pairwise';
    id_token_signed_response_alg?: string;
    [key: string]: unknown;
  }

  /** What an adapter stores: each model's own fields plus these indexable ones. */
  export interface AdapterPayload {
    [key: string]: unknown;
    uid?: string;
    grantId?: string;
    userCode?: string;
    consumed?: number;
    jti?: string;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string, claims: unknown, rejected: string[]): Promise<Record<string, JsonValue>> | Record<string, JsonValue>;
  }

  export interface Client {
    clientId: string;
    clientName?: string;
    sectorIdentifier?: string;
    redirectUris: string[];
  }

  export interface AuthorizationDetail {
    type: string;
    [key: string]: unknown;
  }

  /** The request state oidc-provider keeps on its Koa context; only what we read. */
  export interface OidcContext {
    route: string;
    params?: Record<string, unknown>;
    client?: Client;
    result?: InteractionResults;
    session?: { accountId?: string };
    entities: Record<string, unknown>;
  }

  /** The Koa context oidc-provider hands to configuration callbacks; only what we touch. */
  export interface ProviderContext {
    type: string;
    body: unknown;
    status: number;
    method: string;
    path: string;
    oidc: OidcContext;
    set(field: string, value: string): void;
  }

  export interface ErrorOut {
    error: string;
    error_description?: string;
    [key: string]: unknown;
  }

  /** What interaction policy checks see of the request being authorized. */
  export interface PolicyContext {
    oidc: { result?: InteractionResults; session?: { accountId?: string } };
  }

  export class Check {
    constructor(reason: string, description: string, check: (ctx: PolicyContext) => boolean | Promise<boolean>);
    constructor(reason: string, description: string, error: string, check: (ctx: PolicyContext) => boolean | Promise<boolean>);
    static readonly REQUEST_PROMPT: true;
    static readonly NO_NEED_TO_PROMPT: false;
  }

  export interface Prompt {
    name: string;
    checks: Check[] & { add(check: Check, index?: number): void };
  }

  export interface PromptList extends Array<Prompt> {
    get(name: string): Prompt | undefined;
  }

  export const interactionPolicy: { base(): PromptList; Check: typeof Check };

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
  }

  export interface Configuration {
    adapter?: (name: string) => Adapter;
    clients?: ClientMetadata[];
    clientDefaults?: Partial<ClientMetadata>;
    clientAuthMethods?: string[];
    findAccount?: (ctx: ProviderContext, id: string, token?: unknown) => Promise<Account | undefined>;
    pairwiseIdentifier?: (ctx: ProviderContext, accountId: string, client: Client) => Promise<string> | string;
    jwks?: { keys: Array<JsonWebKey | Record<string, unknown>> };
    cookies?: {
      keys?: string[];
      long?: Record<string, unknown>;
      short?: Record<string, unknown>;
      names?: Record<string, string>;
    };
    claims?: Record<string, null | string[] | Record<string, null>>;
    scopes?: string[];
    acrValues?: string[];
    subjectTypes?: Array<'public' | 'pairwise'>;
    responseTypes?: string[];
    conformIdTokenClaims?: boolean;
    pkce?: { required?: (ctx: ProviderContext, client: Client) => boolean };
    interactions?: { url?: (ctx: ProviderContext, interaction: Interaction) => Promise<string> | string; policy?: PromptList };
    features?: Record<string, { enabled: boolean; [key: string]: unknown }>;
    ttl?: Record<string, number | ((...args: unknown[]) => number)>;
    renderError?: (ctx: ProviderContext, out: ErrorOut, error: Error) => Promise<void> | void;
    clientBasedCORS?: (ctx: ProviderContext, origin: string, client: Client) => boolean;
    rotateRefreshToken?: boolean;
    issueRefreshToken?: (ctx: ProviderContext, client: Client, code: unknown) => Promise<boolean> | boolean;
    enabledJWA?: Record<string, string[]>;
    discovery?: Record<string, unknown>;
    routes?: Record<string, string>;
    fetch?: (url: string, options: RequestInit) => Promise<Response>;
  }

  export interface InteractionResults {
    login?: { accountId: string; acr?: string; amr?: string[]; remember?: boolean; ts?: number };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export interface Interaction {
    uid: string;
    exp: number;
    returnTo: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, string | undefined>;
    session?: { accountId: string; uid?: string; acr?: string; amr?: string[] };
    grantId?: string;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    rar?: AuthorizationDetail[];
    save(): Promise<string>;
  }

  export interface GrantConstructor {
    new (properties: { accountId: string; clientId: string }): Grant;
  }

  export interface AccessToken {
    jti: string;
    accountId: string;
    clientId: string;
    grantId: string;
    /** The DPoP key thumbprint the token is bound to. */
    jkt?: string;
    rar?: AuthorizationDetail[];
    isExpired: boolean;
    isValid: boolean;
    destroy(): Promise<void>;
  }

  export interface AccessTokenModel {
    find(value: string, options?: { ignoreExpiration?: boolean }): Promise<AccessToken | undefined>;
  }

  export class OIDCProviderError extends Error {
    constructor(status: number, message: string);
    error: string;
    error_description?: string;
    status: number;
    statusCode: number;
    expose: boolean;
  }

  export const errors: {
    OIDCProviderError: typeof OIDCProviderError;
    InvalidGrant: new (description?: string) => OIDCProviderError;
    InvalidRequest: new (description?: string) => OIDCProviderError;
    InvalidScope: new (description?: string, scope?: string) => OIDCProviderError;
    InvalidTarget: new (description?: string) => OIDCProviderError;
    InvalidAuthorizationDetails: new (description?: string) => OIDCProviderError;
    AccessDenied: new (description?: string) => OIDCProviderError;
    InvalidClient: new (description?: string) => OIDCProviderError;
  };

  export type ProviderMiddleware = (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>;

  class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    readonly Grant: GrantConstructor;
    readonly AccessToken: AccessTokenModel;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: ProviderMiddleware): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: InteractionResults, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: InteractionResults, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export default Provider;
}
