// Counter staff sessions, apart from the citizens': the cookie carries a random id and a random key;
// the database keeps the id's hash, the clerk, the console and a state sealed under the key. What a
// clerk opens (a redemption, a case) is sealed under the same key, so only this session reads it.
// Sessions end after 15 idle minutes and after 10 hours (a working day), and at once when the
// account is disabled.
import { createHash, randomBytes } from 'node:crypto';
import { seal, unseal } from '../keys/seal.ts';
import type { Db } from '../store/database.ts';

export const STAFF_COOKIE = 'omd_staff';
/** The console (browser) a clerk works at: a random id kept across sign-ins, so a lock holds the console. */
export const CONSOLE_COOKIE = 'omd_console';
export const STAFF_IDLE_MS = 15 * 60_000;
export const STAFF_ABSOLUTE_MS = 10 * 3600_000;

/** How the clerk signed in: a passkey alone may not add passkeys (as for citizens). */
export type StaffSignInMethod = 'password' | 'passkey';

export interface StaffSession {
  idHash: string;
  method: StaffSignInMethod;
  key: Buffer;
  staffId: string;
  consoleId: string;
  createdAt: Date;
  expiresAt: Date;
}

function hashId(id: Buffer): string {
  return createHash('sha256').update(id).digest('hex');
}

export function newConsoleId(): string {
  return randomBytes(18).toString('base64url');
}

export function readConsoleId(value: string | undefined): string | undefined {
  return value && /^[A-Za-z0-9_-]{24}$/.test(value) ? value : undefined;
}

export class StaffSessionStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(staffId: string, consoleId: string, method: StaffSignInMethod = 'password'): Promise<{ session: StaffSession; cookie: string }> {
    const id = randomBytes(32);
    const key = randomBytes(32);
    const now = this.now();
    const idHash = hashId(id);
    const session: StaffSession = { idHash, method, key, staffId, consoleId, createdAt: now, expiresAt: new Date(now.getTime() + STAFF_ABSOLUTE_MS) };
    await this.db
      .insertInto('counter_staff_sessions')
      .values({
        id_hash: idHash,
        staff_id: staffId,
        console_id: consoleId,
        // Proves the key on load: a forged cookie with a known id hash opens nothing.
        sealed: seal(key, `staff-session:${idHash}`, Buffer.from(JSON.stringify({ staffId, consoleId, method }))),
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        expires_at: session.expiresAt.toISOString(),
      })
      .execute();
    return { session, cookie: `${id.toString('base64url')}.${key.toString('base64url')}` };
  }

  /** The live session for a cookie value, touched; undefined when unknown, idle too long or expired. */
  async load(cookie: string | undefined): Promise<StaffSession | undefined> {
    const match = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? '');
    if (!match) return undefined;
    const idHash = hashId(Buffer.from(match[1] as string, 'base64url'));
    const key = Buffer.from(match[2] as string, 'base64url');
    const row = await this.db.selectFrom('counter_staff_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (!row) return undefined;
    const now = this.now();
    if (now.getTime() - new Date(row.last_seen_at).getTime() > STAFF_IDLE_MS || now >= new Date(row.expires_at)) {
      await this.destroyByHash(idHash);
      return undefined;
    }
    let method: StaffSignInMethod = 'password';
    try {
      const state = JSON.parse(unseal(key, `staff-session:${idHash}`, row.sealed).toString('utf8')) as { method?: unknown };
      if (state.method === 'passkey') method = 'passkey';
    } catch {
      return undefined;
    }
    await this.db.updateTable('counter_staff_sessions').set({ last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute();
    return { idHash, method, key, staffId: row.staff_id, consoleId: row.console_id, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at) };
  }

  async destroy(session: Pick<StaffSession, 'idHash'>): Promise<void> {
    await this.destroyByHash(session.idHash);
  }

  /** Every session of a clerk (account disabled or credentials reset). */
  async destroyAllOf(staffId: string): Promise<void> {
    await this.db.deleteFrom('counter_staff_sessions').where('staff_id', '=', staffId).execute();
  }

  /** The consoles a clerk has live sessions on (a supervisor lifting a lock lifts theirs too). */
  async consolesOf(staffId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('counter_staff_sessions').select('console_id').where('staff_id', '=', staffId).execute();
    return [...new Set(rows.map((r) => r.console_id))];
  }

  async purgeExpired(): Promise<number> {
    const now = this.now();
    const result = await this.db
      .deleteFrom('counter_staff_sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<', new Date(now.getTime() - STAFF_IDLE_MS).toISOString())]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private async destroyByHash(idHash: string): Promise<void> {
    await this.db.deleteFrom('counter_staff_sessions').where('id_hash', '=', idHash).execute();
  }
}
