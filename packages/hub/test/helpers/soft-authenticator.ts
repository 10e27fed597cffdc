// A software WebAuthn authenticator for tests: makes ES256 passkeys with node:crypto, builds
// authenticatorData and a 'none' attestation object by hand (CBOR), and answers the JSON options
// the hub produces with the JSON a browser would post back. Every field can be bent to test a check.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { cborEncode } from './cbor.ts';

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface SoftCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  counter: number;
}

export interface Bend {
  origin?: string;
  /** The RP id whose hash goes into authenticatorData (default: the options' rp id). */
  rpId?: string;
  challenge?: string;
  type?: string;
  userPresent?: boolean;
  userVerified?: boolean;
  /** Counter to report; by default the credential's counter + step. */
  counter?: number;
  userHandle?: string;
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

function cosePublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y) throw new Error('not an EC key');
  return cborEncode(
    new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x, 'base64url')],
      [-3, Buffer.from(jwk.y, 'base64url')],
    ]),
  );
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

export class SoftAuthenticator {
  readonly credentials = new Map<string, SoftCredential>();

  constructor(
    /** How much the counter moves per signature; 0 makes a synced-passkey-like authenticator. */
    private readonly counterStep = 1,
  ) {}

  /** Answers navigator.credentials.create(options) as the browser would post it. */
  create(options: PublicKeyCredentialCreationOptionsJSON, origin: string, bend: Bend = {}): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rawId = randomBytes(32);
    const id = b64u(rawId);
    const counter = bend.counter ?? 0;
    this.credentials.set(id, { id, rpId, userHandle: options.user.id, privateKey, publicKey, counter });
    const flags = (bend.userPresent === false ? 0 : FLAG_UP) | (bend.userVerified === false ? 0 : FLAG_UV) | FLAG_AT;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(rawId.length);
    const authData = Buffer.concat([
      createHash('sha256')
        .update(bend.rpId ?? rpId)
        .digest(),
      Buffer.from([flags]),
      u32(counter),
      Buffer.alloc(16), // aaguid: none
      idLength,
      rawId,
      cosePublicKey(publicKey),
    ]);
    const attestationObject = cborEncode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientData(bend.type ?? 'webauthn.create', bend.challenge ?? options.challenge, bend.origin ?? origin)),
        attestationObject: b64u(attestationObject),
        transports: ['internal', 'hybrid'],
      },
    };
  }

  /** Answers navigator.credentials.get(options) with one of its passkeys (the only one by default). */
  get(options: PublicKeyCredentialRequestOptionsJSON, origin: string, credentialId?: string, bend: Bend = {}): AuthenticationResponseJSON {
    const id = credentialId ?? [...this.credentials.keys()][0];
    const credential = id === undefined ? undefined : this.credentials.get(id);
    if (!credential) throw new Error('the soft authenticator holds no such passkey');
    const counter = bend.counter ?? credential.counter + this.counterStep;
    credential.counter = counter;
    const flags = (bend.userPresent === false ? 0 : FLAG_UP) | (bend.userVerified === false ? 0 : FLAG_UV);
    const authData = Buffer.concat([
      createHash('sha256')
        .update(bend.rpId ?? options.rpId ?? credential.rpId)
        .digest(),
      Buffer.from([flags]),
      u32(counter),
    ]);
    const clientDataJSON = clientData(bend.type ?? 'webauthn.get', bend.challenge ?? options.challenge, bend.origin ?? origin);
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: bend.userHandle ?? credential.userHandle,
      },
    };
  }
}
