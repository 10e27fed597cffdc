// Passkeys for counter staff: a clerk signed in with password + TOTP adds one on the console, then
// signs in with it alone (WebAuthn, discoverable, user verification required). The ceremonies are
// the citizens' (identity/passkey/webauthn.ts); what differs is the owner: a staff account, so an
// office, and no national ID. Challenges are rows taken once, so any hub process finishes what
// another began and an answer cannot be replayed against the same challenge.
import { randomBytes } from 'node:crypto';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { checkChallenge, issueChallenge } from '../identity/passkey/challenge.ts';
import { counterAcceptable } from '../identity/passkey/check-counter.ts';
import { passkeyError } from '../identity/passkey/errors.ts';
import { readAuthenticationResponse } from '../identity/passkey/read-response.ts';
import { checkAssertion, checkAttestation, creationOptions, type RelyingParty, requestOptions } from '../identity/passkey/webauthn.ts';
import { IdentityError } from '../identity/types.ts';
import type { Db } from '../store/database.ts';

const USER_HANDLE_BYTES = 32;
const REFERENCE_LENGTH = 16;

export interface StaffPasskey {
  credentialId: string;
  staffId: string;
  userHandle: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Short non-personal reference shown in the clerk's list (never the whole credential id). */
export function staffPasskeyReference(credentialId: string): string {
  return credentialId.slice(0, REFERENCE_LENGTH);
}

type Row = {
  credential_id: string;
  staff_id: string;
  user_handle: string;
  public_key: Buffer;
  counter: number | string;
  transports: string;
  created_at: string;
  last_used_at: string | null;
};

function fromRow(row: Row): StaffPasskey {
  let transports: string[] = [];
  try {
    const parsed = JSON.parse(row.transports) as unknown;
    if (Array.isArray(parsed)) transports = parsed.filter((t): t is string => typeof t === 'string');
  } catch {
    transports = [];
  }
  return {
    credentialId: row.credential_id,
    staffId: row.staff_id,
    userHandle: row.user_handle,
    publicKey: new Uint8Array(row.public_key),
    counter: Number(row.counter),
    transports,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
  };
}

export type StaffPasskeyLogin = { ok: true; staffId: string } | { ok: false; code: string; detail?: string | undefined; staffId?: string | undefined };

export class StaffPasskeys {
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly rp: RelyingParty,
    now?: () => Date,
  ) {
    this.now = now ?? (() => new Date());
  }

  async list(staffId: string): Promise<StaffPasskey[]> {
    const rows = await this.db
      .selectFrom('counter_staff_passkeys')
      .selectAll()
      .where('staff_id', '=', staffId)
      .orderBy('created_at')
      .orderBy('credential_id')
      .execute();
    return rows.map(fromRow);
  }

  async remove(staffId: string, credentialId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('counter_staff_passkeys')
      .where('staff_id', '=', staffId)
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Options for a signed-in clerk's new passkey; the challenge is kept for this session only. */
  async registrationOptions(staffId: string, sessionIdHash: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.list(staffId);
    // One random handle per account, so a passkey manager files the account's passkeys together.
    const userHandle = existing[0]?.userHandle ?? randomBytes(USER_HANDLE_BYTES).toString('base64url');
    const issued = issueChallenge(this.now());
    // The account name is an operator-chosen handle, never a person's name or ID (isStaffId).
    const options = await creationOptions(this.rp, { challenge: issued.challenge, userHandle, label: `${staffId} (counter)`, exclude: existing });
    await this.keepChallenge(`register:${sessionIdHash}`, issued.challenge, issued.expiresAt, staffId, userHandle);
    return options;
  }

  /**
   * Checks the authenticator's answer against the challenge this session was given (taken once,
   * whatever the outcome) and stores the passkey for the account. Throws IdentityError
   * (challenge_expired, passkey_invalid).
   */
  async register(staffId: string, sessionIdHash: string, input: unknown): Promise<StaffPasskey> {
    const pending = await this.takeChallenge(`register:${sessionIdHash}`);
    const challenge = checkChallenge(pending, this.now());
    if (!pending || pending.staffId !== staffId || !pending.userHandle)
      throw passkeyError('passkey_invalid', 'the registration challenge was issued to another account');
    const credential = await checkAttestation(this.rp, input, challenge.challenge);
    const passkey: StaffPasskey = { ...credential, staffId, userHandle: pending.userHandle, createdAt: this.now(), lastUsedAt: null };
    const inserted = await this.db
      .insertInto('counter_staff_passkeys')
      .values({
        credential_id: passkey.credentialId,
        staff_id: staffId,
        user_handle: passkey.userHandle,
        public_key: Buffer.from(passkey.publicKey),
        counter: passkey.counter,
        transports: JSON.stringify(passkey.transports),
        created_at: passkey.createdAt.toISOString(),
        last_used_at: null,
      })
      .onConflict((oc) => oc.column('credential_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) throw passkeyError('passkey_invalid', 'this credential id is already registered');
    return passkey;
  }

  /** Options for signing in at this console; the challenge is kept for this console only. */
  async loginOptions(consoleId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const issued = issueChallenge(this.now());
    const options = await requestOptions(this.rp, issued.challenge);
    await this.keepChallenge(`login:${consoleId}`, issued.challenge, issued.expiresAt, null, null);
    return options;
  }

  /**
   * The account a sign-in answer proves, checked in this order: the console's challenge is taken
   * (once), the answer has the shape of an assertion, the credential is a staff passkey, the
   * challenge was fresh, the assertion verifies (user handle, challenge, origin, rp id, presence and verification,
   * signature), the counter moved forward, and no other sign-in moved it first. When the passkey
   * was found the refusal names its account, so failures count against it.
   */
  async verifyLogin(consoleId: string, input: unknown): Promise<StaffPasskeyLogin> {
    const now = this.now();
    let staffId: string | undefined;
    try {
      const pending = await this.takeChallenge(`login:${consoleId}`);
      const response = readAuthenticationResponse(input);
      const row = await this.db.selectFrom('counter_staff_passkeys').selectAll().where('credential_id', '=', response.id).executeTakeFirst();
      if (!row) throw passkeyError('passkey_unknown', 'no staff passkey with this credential id');
      const passkey = fromRow(row);
      // Known from here on, so a replay (its challenge already taken) counts against the account too.
      staffId = passkey.staffId;
      const challenge = checkChallenge(pending, now);
      const reported = await checkAssertion(this.rp, response, challenge.challenge, passkey);
      if (!counterAcceptable(passkey.counter, reported))
        throw passkeyError('passkey_counter', `signature counter ${reported} is not above the stored ${passkey.counter}`);
      const moved = await this.db
        .updateTable('counter_staff_passkeys')
        .set({ counter: reported, last_used_at: now.toISOString() })
        .where('credential_id', '=', passkey.credentialId)
        .where('counter', '=', passkey.counter)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1)
        throw passkeyError('passkey_counter', 'another sign-in with this passkey changed its counter first, or it was removed');
      return { ok: true, staffId: passkey.staffId };
    } catch (error) {
      if (error instanceof IdentityError) return { ok: false, code: error.code, detail: error.detail, staffId };
      throw error;
    }
  }

  async purgeExpired(): Promise<number> {
    const result = await this.db.deleteFrom('counter_staff_challenges').where('expires_at', '<=', this.now().toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private async keepChallenge(holder: string, challenge: string, expiresAt: string, staffId: string | null, userHandle: string | null): Promise<void> {
    await this.db
      .insertInto('counter_staff_challenges')
      .values({ holder, challenge, staff_id: staffId, user_handle: userHandle, expires_at: expiresAt })
      .onConflict((oc) => oc.column('holder').doUpdateSet({ challenge, staff_id: staffId, user_handle: userHandle, expires_at: expiresAt }))
      .execute();
  }

  /** The pending challenge of a holder, removed in the same statement, so only one answer uses it. */
  private async takeChallenge(
    holder: string,
  ): Promise<{ challenge: string; expiresAt: string; staffId: string | null; userHandle: string | null } | undefined> {
    const row = await this.db.deleteFrom('counter_staff_challenges').where('holder', '=', holder).returningAll().executeTakeFirst();
    return row ? { challenge: row.challenge, expiresAt: row.expires_at, staffId: row.staff_id, userHandle: row.user_handle } : undefined;
  }
}
