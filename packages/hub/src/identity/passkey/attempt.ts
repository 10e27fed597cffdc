// One passkey login as it moves through the pipeline: each step reads what earlier steps found
// and adds its own finding, or throws the IdentityError that ends the attempt.
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { PasskeyChallenge } from './challenge.ts';
import type { StoredPasskey } from './credential-store.ts';
import type { ResolvedPasskeyOptions } from './options.ts';

export class PasskeyLoginAttempt {
  challenge?: PasskeyChallenge;
  response?: AuthenticationResponseJSON;
  passkey?: StoredPasskey;
  /** The signature counter the authenticator reported, once its signature verified. */
  newCounter?: number;
  nationalId?: string;

  constructor(
    /** What the browser posted: the credential JSON (object or text). */
    readonly input: unknown,
    /** What the session kept from authenticationOptions(). */
    readonly pending: unknown,
    readonly options: ResolvedPasskeyOptions,
    readonly now: Date,
  ) {}

  /** A value an earlier step must have set; a missing one is a bug in the pipeline's order. */
  need<K extends 'challenge' | 'response' | 'passkey' | 'newCounter' | 'nationalId'>(key: K): NonNullable<this[K]> {
    const value = this[key];
    if (value === undefined || value === null) throw new Error(`passkey pipeline: ${key} is not set yet`);
    return value as NonNullable<this[K]>;
  }
}
