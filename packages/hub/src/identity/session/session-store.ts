// Sessions: the cookie carries a random id and a random key; the database keeps the id's hash and
// the session state sealed under the key. A copy of the database cannot read anyone's session,
// and the national ID held in a session exists in plaintext only in memory during a request.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../store/database.ts';
import { seal, unseal } from '../../keys/seal.ts';

export const SESSION_COOKIE = 'omd_sid';
export const IDLE_TIMEOUT_MS = 20 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 8 * 60 * 60 * 1000;
/**
 * How stale last_seen_at may be before a request writes it again: pages that poll (progress, the
 * counter's code) would otherwise write the sessions table on every request. The idle timeout is
 * thereby exact to within this much.
 */
export const LAST_SEEN_RESOLUTION_MS = 60 * 1000;

export interface Verification {
  method: 'x509' | 'oidc' | 'passkey';
  level: 1 | 2 | 3 | 4;
  at: string;
  reference: string;
}

export interface SessionState {
  /** Set once a method has verified the person. */
  nationalId?: string;
  /** The person's name from a method that asserts one, to show who is signed in. */
  displayName?: string;
  /** True once the person may act: known to the hub, or verified by two methods on first use. */
  authenticated?: boolean;
  verifications: Verification[];
  /** Short-lived login state: challenges, OIDC state, where to go after login. */
  pending: Record<string, unknown>;
  /** Data sets chosen before logging in. */
  selection: string[];
  /**
   * Keys of this person's retrievals (base64url, by retrieval id): what a retrieval stores for them
   * to see later (preview, notice address) is sealed under its key, so only this session opens it.
   */
  retrievalKeys?: Record<string, string>;
}

export interface Session {
  idHash: string;
  key: Buffer;
  state: SessionState;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

function hashId(id: Buffer): string {
  return createHash('sha256').update(id).digest('hex');
}

function emptyState(): SessionState {
  return { verifications: [], pending: {}, selection: [] };
}

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new session and its cookie value. */
  async create(expiresAt?: Date): Promise<{ session: Session; cookie: string }> {
    const id = randomBytes(32);
    const key = randomBytes(32);
    const now = this.now();
    const session: Session = {
      idHash: hashId(id),
      key,
      state: emptyState(),
      createdAt: now,
      lastSeenAt: now,
      // A rotated session keeps its predecessor's absolute end: signing in again never extends it.
      expiresAt: expiresAt ?? new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS),
    };
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: session.idHash,
        sealed: this.sealState(session),
        subject_key: null,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        expires_at: session.expiresAt.toISOString(),
      })
      .execute();
    return { session, cookie: `${id.toString('base64url')}.${key.toString('base64url')}` };
  }

  /** The live session for a cookie value, touched; undefined when unknown, idle too long or expired. */
  async load(cookie: string | undefined): Promise<Session | undefined> {
    const parsed = parseCookie(cookie);
    if (!parsed) return undefined;
    const idHash = hashId(parsed.id);
    const row = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (!row) return undefined;
    const now = this.now();
    const lastSeen = new Date(row.last_seen_at);
    if (now.getTime() - lastSeen.getTime() > IDLE_TIMEOUT_MS || now >= new Date(row.expires_at)) {
      await this.destroyByHash(idHash);
      return undefined;
    }
    let state: SessionState;
    try {
      state = JSON.parse(unseal(parsed.key, `session:${idHash}`, row.sealed).toString('utf8')) as SessionState;
    } catch {
      return undefined; // a forged key opens nothing
    }
    const touch = now.getTime() - lastSeen.getTime() >= LAST_SEEN_RESOLUTION_MS;
    if (touch) await this.db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute();
    return { idHash, key: parsed.key, state, createdAt: new Date(row.created_at), lastSeenAt: touch ? now : lastSeen, expiresAt: new Date(row.expires_at) };
  }

  async save(session: Session, subjectKey?: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ sealed: this.sealState(session), ...(subjectKey ? { subject_key: subjectKey } : {}) })
      .where('id_hash', '=', session.idHash)
      .execute();
  }

  /** Replaces the session id after login so a planted pre-login cookie is worthless. */
  async rotate(session: Session, subjectKey?: string): Promise<{ session: Session; cookie: string }> {
    const fresh = await this.create(session.expiresAt);
    fresh.session.state = session.state;
    await this.save(fresh.session, subjectKey);
    await this.destroyByHash(session.idHash);
    return fresh;
  }

  async destroy(session: Session): Promise<void> {
    await this.destroyByHash(session.idHash);
  }

  /** Removes sessions past their absolute expiry or idle timeout. */
  async purgeExpired(): Promise<number> {
    const now = this.now();
    const result = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<', new Date(now.getTime() - IDLE_TIMEOUT_MS).toISOString())]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private async destroyByHash(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  private sealState(session: Session): string {
    return seal(session.key, `session:${session.idHash}`, Buffer.from(JSON.stringify(session.state)));
  }
}

function parseCookie(value: string | undefined): { id: Buffer; key: Buffer } | undefined {
  if (!value) return undefined;
  const match = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return undefined;
  return { id: Buffer.from(match[1] as string, 'base64url'), key: Buffer.from(match[2] as string, 'base64url') };
}
