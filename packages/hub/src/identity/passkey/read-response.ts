// What the browser sends back after navigator.credentials.create/get, checked for shape before
// anything else looks at it. Accepts the object itself or its JSON text (a hidden form field).
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { passkeyError } from './errors.ts';

const base64url = z
  .string()
  .min(1)
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]+$/);
/** Raw credential ids are at most 1023 bytes. */
const credentialId = z
  .string()
  .min(1)
  .max(1364)
  .regex(/^[A-Za-z0-9_-]+$/);
const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

const common = {
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
};

const registration = z.object({
  ...common,
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    transports: z.array(z.string().max(32)).max(16).optional(),
  }),
});

const authentication = z.object({
  ...common,
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: z.union([base64url, z.literal('')]).nullish(),
  }),
});

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch {
      throw passkeyError('passkey_invalid', `${what} is not JSON`);
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw passkeyError('passkey_invalid', `${what} is malformed: ${result.error.issues[0]?.path.join('.') ?? ''}`.slice(0, 200));
  return result.data;
}

export function readRegistrationResponse(input: unknown): RegistrationResponseJSON {
  const r = parse(registration, input, 'registration response');
  const transports = (r.response.transports ?? []).filter((t): t is (typeof TRANSPORTS)[number] => (TRANSPORTS as readonly string[]).includes(t));
  return {
    id: r.id,
    rawId: r.rawId,
    type: r.type,
    ...(r.authenticatorAttachment ? { authenticatorAttachment: r.authenticatorAttachment } : {}),
    clientExtensionResults: {},
    response: { clientDataJSON: r.response.clientDataJSON, attestationObject: r.response.attestationObject, transports },
  };
}

export function readAuthenticationResponse(input: unknown): AuthenticationResponseJSON {
  const r = parse(authentication, input, 'authentication response');
  return {
    id: r.id,
    rawId: r.rawId,
    type: r.type,
    ...(r.authenticatorAttachment ? { authenticatorAttachment: r.authenticatorAttachment } : {}),
    clientExtensionResults: {},
    response: {
      clientDataJSON: r.response.clientDataJSON,
      authenticatorData: r.response.authenticatorData,
      signature: r.response.signature,
      ...(r.response.userHandle ? { userHandle: r.response.userHandle } : {}),
    },
  };
}
