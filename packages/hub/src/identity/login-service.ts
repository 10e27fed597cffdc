// The rules of signing in, for the portal's routes: the per-address limit on failed attempts, the
// limit on new sessions, and recording a verification (session state, known subjects, ledger).
import type { Ledger } from '../ledger/ledger.ts';
import type { Db } from '../store/database.ts';
import { type RecordOutcome, recordVerification } from './login-rules.ts';
import { isLimited, purgeStaleAttempts, type RateLimit, takeAttempt } from './session/rate-limit.ts';
import type { SessionState } from './session/session-store.ts';
import type { VerifiedIdentity } from './types.ts';

// Only failed sign-ins count, so people sharing one address (a NAT, a proxy) do not lock each other out.
export const LOGIN_LIMIT: RateLimit = { max: 20, windowMs: 15 * 60 * 1000 };

export interface LoginServiceDeps {
  db: Db;
  ledger: Pick<Ledger, 'append'>;
  subjectKey: (nationalId: string) => string;
  /** Keyed pseudonym of a client address, so the rate-limit table holds no reversible IPs. */
  clientPseudonym: (address: string) => string;
  /** New portal sessions one address may open per 10 minutes. */
  newSessionsPerAddress: number;
}

/** The ledger's outcome code for a verification: the method and the level it gave. */
export function verificationOutcome(identity: Pick<VerifiedIdentity, 'method' | 'level'>): string {
  return `${identity.method}_level_${identity.level}`;
}

export class LoginService {
  constructor(private readonly deps: LoginServiceDeps) {}

  subjectKey(nationalId: string): string {
    return this.deps.subjectKey(nationalId);
  }

  /** True while this address has used up its failed attempts. */
  isLimited(address: string): Promise<boolean> {
    return isLimited(this.deps.db, this.loginKey(address), LOGIN_LIMIT);
  }

  async countFailure(address: string): Promise<void> {
    await takeAttempt(this.deps.db, this.loginKey(address), LOGIN_LIMIT);
  }

  /** Counts a new anonymous session for the address; false once it has opened too many. */
  mayOpenSession(address: string): Promise<boolean> {
    return takeAttempt(this.deps.db, `session:${this.deps.clientPseudonym(address)}`, { max: this.deps.newSessionsPerAddress, windowMs: 10 * 60_000 });
  }

  purgeStaleAttempts(): Promise<number> {
    return purgeStaleAttempts(this.deps.db);
  }

  /** Adds a successful verification to the session state and to the person's history. */
  async verified(state: SessionState, identity: VerifiedIdentity): Promise<RecordOutcome & { subjectKey: string }> {
    const subjectKey = this.deps.subjectKey(identity.nationalId);
    const outcome = await recordVerification(this.deps.db, state, identity, subjectKey);
    if (outcome.ok) {
      state.authenticated = outcome.complete;
      await this.deps.ledger.append([
        { action: 'identity_verified', actor: { kind: 'citizen', id: subjectKey }, subject: subjectKey, outcome: verificationOutcome(identity) },
      ]);
    }
    return { ...outcome, subjectKey };
  }

  private loginKey(address: string): string {
    return `login:${this.deps.clientPseudonym(address)}`;
  }
}
