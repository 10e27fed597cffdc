// The service registry: service providers (OAuth clients) and the services they run, as an operator
// registers them (npm run operator -- service add FILE). The zod schema below is the one source:
// docs/service-registry.schema.json is generated from it (serviceRegistryJsonSchema), and a test
// fails when the two differ.
import { z } from 'zod';
import { serviceJwksProblems } from './service-keys.ts';

const documentation = z.registry<z.GlobalMeta>();

const localized = z
  .strictObject({ 'zh-TW': z.string().min(1).max(500), en: z.string().min(1).max(500) })
  .register(documentation, { id: 'LocalizedText', description: 'The same text in Traditional Chinese (zh-TW) and English (en).' });
// The ledger records the purpose in both languages (at most 500 characters together).
const purposeText = z
  .strictObject({ 'zh-TW': z.string().min(1).max(200), en: z.string().min(1).max(200) })
  .register(documentation, { id: 'Purpose', description: 'Why the service needs the data, in zh-TW and en (each at most 200 characters).' });
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'use lower-case letters, digits and hyphens (at most 64, not starting with a hyphen)');
const clientId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'use letters, digits and . _ - (at most 128, starting with a letter or digit)');
const httpUrl = (description: string) =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(2000)
    .refine((u) => !u.includes('#'), 'must not hold a fragment (#)')
    .register(documentation, { description, pattern: '^https?://' });

const jwk = z.record(z.string(), z.unknown());
const jwks = z
  .strictObject({ keys: z.array(jwk).min(1).max(10) })
  .superRefine((value, ctx) => {
    for (const problem of serviceJwksProblems(value)) ctx.addIssue({ code: 'custom', message: problem });
  })
  .register(documentation, {
    id: 'Jwks',
    description:
      'Public keys only, each with a kid: at least one signing key (use "sig": EC P-256 for ES256, RSA for PS256, or Ed25519) for private_key_jwt and DPoP, and one encryption key (use "enc": EC P-256, P-384, P-521 or X25519) the hub encrypts deliveries to (ECDH-ES+A256KW, A256GCM).',
  });

export const serviceEntrySchema = z
  .strictObject({
    id: slug.register(documentation, { description: 'The service id, unique across the registry; authorization_details name it.' }),
    name: localized,
    start_url: httpUrl('Where a person starts using the service; the hub’s list of services links here.'),
    datasets: z
      .array(slug)
      .min(1)
      .max(50)
      .refine((ids) => new Set(ids).size === ids.length, 'lists a data set twice')
      .register(documentation, { description: 'The data sets this service may ask for (ids from the catalogue). A request for any other is refused.' }),
    purpose: purposeText,
    retention_days: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .register(documentation, { description: 'How many days the service keeps the data after it receives them.' }),
    privacy_policy_url: httpUrl('The service provider’s privacy policy, linked from the consent screen.'),
    webhook_url: httpUrl('Optional: where the hub POSTs a signed JWT when a delivery is ready (or has failed).').optional(),
  })
  .register(documentation, { id: 'Service', description: 'One online service run by the provider.' });

export const serviceProviderSchema = z
  .strictObject({
    client_id: clientId.register(documentation, { description: 'The OAuth client id of the service provider.' }),
    name: localized,
    jwks: jwks.optional(),
    jwks_uri: httpUrl('Where the provider publishes its public JWKS (instead of jwks).').optional(),
    redirect_uris: z
      .array(httpUrl('An exact redirect URI.'))
      .min(1)
      .max(10)
      .refine((uris) => new Set(uris).size === uris.length, 'lists a redirect URI twice')
      .register(documentation, { description: 'The exact redirect URIs; any other is refused.' }),
    services: z.array(serviceEntrySchema).min(1).max(50),
  })
  .refine((p) => (p.jwks === undefined) !== (p.jwks_uri === undefined), { message: 'give exactly one of jwks or jwks_uri', path: ['jwks'] })
  .register(documentation, { id: 'ServiceProvider', description: 'A service provider: an OAuth client (private_key_jwt, PAR, PKCE, DPoP) and its services.' });

export const serviceRegistrySchema = z
  .strictObject({
    $schema: z.string().optional().register(documentation, { description: 'Where this schema is, for editors; ignored by the hub.' }),
    providers: z.array(serviceProviderSchema).min(1),
  })
  .superRefine((registry, ctx) => {
    const clients = new Set<string>();
    const services = new Map<string, string>();
    registry.providers.forEach((provider, p) => {
      if (clients.has(provider.client_id))
        ctx.addIssue({ code: 'custom', message: `client ${provider.client_id} is registered twice`, path: ['providers', p, 'client_id'] });
      clients.add(provider.client_id);
      provider.services.forEach((service, s) => {
        const owner = services.get(service.id);
        if (owner !== undefined)
          ctx.addIssue({
            code: 'custom',
            message: `service ${service.id} is registered twice (also by ${owner})`,
            path: ['providers', p, 'services', s, 'id'],
          });
        services.set(service.id, provider.client_id);
      });
    });
  })
  .register(documentation, {
    title: 'OpenMyData service registry',
    description:
      'Service providers (OAuth clients of the hub) and their online services, as an operator registers them (npm run operator -- service add FILE). Client ids and service ids are each unique.',
  });

export type ServiceRegistry = z.infer<typeof serviceRegistrySchema>;
export type ServiceProviderEntry = z.infer<typeof serviceProviderSchema>;
export type ServiceEntry = z.infer<typeof serviceEntrySchema>;

/** The JSON Schema (2020-12) of a service registry file, as published in docs/service-registry.schema.json. */
export function serviceRegistryJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(serviceRegistrySchema, { target: 'draft-2020-12', io: 'input', metadata: documentation }) as Record<string, unknown>;
}
