// Counter staff sign-in: account name, password (scrypt) and a TOTP code, checked in that order, or a
// passkey the clerk added after such a sign-in (staff-passkeys.ts); failures counted per client address and per account in the database (every hub process sees the
// same counts). A disabled account is told so only after its credentials proved right; its sessions
// end at once. Each sign-in and each refusal of an existing account is a ledger entry.
import type { Ledger } from '../ledger/ledger.ts';
import { IdentityError } from '../identity/types.ts';
import { isLimited, type RateLimit, takeAttempt } from '../identity/session/rate-limit.ts';
import type { Db } from '../store/database.ts';
import { findStaff, type StaffAccount, takeTotpStep } from './counter-repository.ts';
import { hashStaffPassword, MAX_STAFF_PASSWORD, totpStep, verifyStaffPassword } from './staff-credentials.ts';
import type { StaffPasskeys } from './staff-passkeys.ts';
import type { StaffSession, StaffSessionStore } from './staff-sessions.ts';

const STAFF_ID = /^[a-z0-9][a-z0-9._-]{2,63}$/;
export const SIGN_IN_LIMITS: { address: RateLimit; account: RateLimit } = {
  address: { max: 20, windowMs: 15 * 60_000 },
  account: { max: 10, windowMs: 15 * 60_000 },
};

export type SignInResult =
  | { ok: true; session: StaffSession; cookie: string; staff: StaffAccount }
  | { ok: false; reason: 'invalid' | 'disabled' | 'rate_limited' };

export interface StaffAuthDeps {
  db: Db;
  ledger: Pick<Ledger, 'commit'>;
  secret: Buffer;
  sessions: StaffSessionStore;
  passkeys: StaffPasskeys;
  clientPseudonym: (address: string) => string;
  now?: () => Date;
}

export function isStaffId(value: string): boolean {
  return STAFF_ID.test(value);
}

export class StaffAuth {
  private readonly now: () => Date;
  // A hash to check against when the account does not exist, so timing does not tell.
  private readonly decoy = hashStaffPassword('openmydata decoy password');

  constructor(private readonly deps: StaffAuthDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async signIn(input: { staffId: string; password: string; totp: string; consoleId: string; address: string }): Promise<SignInResult> {
    const now = this.now();
    const addressKey = `staff-sign-in:${this.deps.clientPseudonym(input.address)}`;
    const staffId = input.staffId.trim().toLowerCase();
    const accountKey = `staff-sign-in-account:${isStaffId(staffId) ? staffId : '-'}`;
    if ((await isLimited(this.deps.db, addressKey, SIGN_IN_LIMITS.address, now)) || (await isLimited(this.deps.db, accountKey, SIGN_IN_LIMITS.account, now))) {
      return { ok: false, reason: 'rate_limited' };
    }
    const staff = isStaffId(staffId) ? await findStaff(this.deps.db, staffId) : undefined;
    const passwordOk = input.password.length <= MAX_STAFF_PASSWORD && (await verifyStaffPassword(input.password, staff?.passwordHash ?? (await this.decoy)));
    const step = staff && passwordOk ? totpStep(this.deps.secret, staff.id, staff.sealedTotp, input.totp.trim(), now) : undefined;
    const fresh = staff && step !== undefined ? await takeTotpStep(this.deps.db, staff.id, step) : false;
    if (!staff || !passwordOk || !fresh) {
      await takeAttempt(this.deps.db, addressKey, SIGN_IN_LIMITS.address, now);
      if (staff) {
        await takeAttempt(this.deps.db, accountKey, SIGN_IN_LIMITS.account, now);
        await this.record(staff, 'sign_in_refused');
      }
      return { ok: false, reason: 'invalid' };
    }
    if (staff.disabledAt) {
      await this.record(staff, 'sign_in_disabled');
      return { ok: false, reason: 'disabled' };
    }
    const { session, cookie } = await this.deps.sessions.create(staff.id, input.consoleId);
    await this.record(staff, 'signed_in');
    return { ok: true, session, cookie, staff };
  }

  /**
   * Signing in with a passkey alone. A refused answer counts like a wrong password: against the
   * client address, and against the account when the passkey was one of its own (a forged or
   * replayed assertion). A disabled account is told so only after the passkey proved right.
   */
  async signInWithPasskey(input: { response: unknown; consoleId: string; address: string }): Promise<SignInResult> {
    const now = this.now();
    const addressKey = `staff-sign-in:${this.deps.clientPseudonym(input.address)}`;
    if (await isLimited(this.deps.db, addressKey, SIGN_IN_LIMITS.address, now)) return { ok: false, reason: 'rate_limited' };
    const result = await this.deps.passkeys.verifyLogin(input.consoleId, input.response);
    const staff = result.staffId ? await findStaff(this.deps.db, result.staffId) : undefined;
    const accountKey = `staff-sign-in-account:${staff?.id ?? '-'}`;
    if (staff && (await isLimited(this.deps.db, accountKey, SIGN_IN_LIMITS.account, now))) return { ok: false, reason: 'rate_limited' };
    if (!result.ok || !staff) {
      await takeAttempt(this.deps.db, addressKey, SIGN_IN_LIMITS.address, now);
      if (staff) {
        await takeAttempt(this.deps.db, accountKey, SIGN_IN_LIMITS.account, now);
        await this.record(staff, 'sign_in_refused');
      }
      return { ok: false, reason: 'invalid' };
    }
    if (staff.disabledAt) {
      await this.record(staff, 'sign_in_disabled');
      return { ok: false, reason: 'disabled' };
    }
    const { session, cookie } = await this.deps.sessions.create(staff.id, input.consoleId, 'passkey');
    await this.record(staff, 'signed_in_passkey');
    return { ok: true, session, cookie, staff };
  }

  /** Adds a passkey for a clerk signed in with password + TOTP; false when the answer was refused. */
  async registerPasskey(session: StaffSession, staff: StaffAccount, response: unknown): Promise<boolean> {
    if (session.method !== 'password') return false;
    try {
      await this.deps.passkeys.register(staff.id, session.idHash, response);
    } catch (error) {
      if (error instanceof IdentityError) {
        await this.record(staff, 'passkey_refused');
        return false;
      }
      throw error;
    }
    await this.record(staff, 'passkey_registered');
    return true;
  }

  async removePasskey(staff: StaffAccount, credentialId: string): Promise<boolean> {
    const removed = credentialId.length <= 1400 && (await this.deps.passkeys.remove(staff.id, credentialId));
    if (removed) await this.record(staff, 'passkey_removed');
    return removed;
  }

  /** The signed-in clerk behind a cookie, while their account is enabled. */
  async current(cookie: string | undefined): Promise<{ session: StaffSession; staff: StaffAccount } | undefined> {
    const session = await this.deps.sessions.load(cookie);
    if (!session) return undefined;
    const staff = await findStaff(this.deps.db, session.staffId);
    if (!staff || staff.disabledAt) {
      await this.deps.sessions.destroyAllOf(session.staffId);
      return undefined;
    }
    return { session, staff };
  }

  async signOut(session: StaffSession, staff: StaffAccount): Promise<void> {
    await this.deps.sessions.destroy(session);
    await this.record(staff, 'signed_out');
  }

  private async record(staff: StaffAccount, outcome: string): Promise<void> {
    await this.deps.ledger.commit(async () => ({
      entries: [{ action: 'staff_action', actor: { kind: 'staff', id: staff.id }, recipient: staff.officeId, outcome }],
      value: undefined,
    }));
  }
}
