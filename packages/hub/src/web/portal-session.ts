// The portal's session handling on top of SessionStore: cookies, CSRF on every form, login state.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/problem.ts';
import { checkCsrf, csrfToken } from '../identity/session/csrf.ts';
import { type Session, SESSION_COOKIE, type SessionStore } from '../identity/session/session-store.ts';

export interface PortalSessions {
  store: SessionStore;
  /** Secure cookies when the hub is served over TLS. */
  secure: boolean;
  /** Counts a new session for the client address; false once the address has opened too many. */
  mayOpen?: (clientAddress: string) => Promise<boolean>;
}

/**
 * Set on a browser where the person bound a passkey, so the login page offers passkeys there and
 * nowhere else. It says nothing about who: "1" or absent.
 */
export const PASSKEY_HINT_COOKIE = 'omd_pk';

export function setPasskeyHint(reply: FastifyReply, sessions: PortalSessions, present: boolean): void {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Lax', present ? 'Max-Age=31536000' : 'Max-Age=0', ...(sessions.secure ? ['Secure'] : [])];
  const existing = reply.getHeader('set-cookie');
  const cookies = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  reply.header('set-cookie', [...cookies, `${PASSKEY_HINT_COOKIE}=${present ? '1' : ''}; ${attributes.join('; ')}`]);
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function setSessionCookie(reply: FastifyReply, sessions: PortalSessions, value: string): void {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Lax', ...(sessions.secure ? ['Secure'] : [])];
  const existing = reply.getHeader('set-cookie');
  const cookies = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  reply.header('set-cookie', [...cookies, `${SESSION_COOKIE}=${value}; ${attributes.join('; ')}`]);
}

/** The visitor's session, if any. */
export async function currentSession(request: FastifyRequest, sessions: PortalSessions): Promise<Session | undefined> {
  return sessions.store.load(readCookie(request, SESSION_COOKIE));
}

/** The visitor's session, made on first need (pages with forms need one for CSRF). */
export async function ensureSession(request: FastifyRequest, reply: FastifyReply, sessions: PortalSessions): Promise<Session> {
  const existing = await request.session();
  if (existing) return existing;
  // Anonymous sessions cost a row each: one address cannot fill the table.
  if (sessions.mayOpen && !(await sessions.mayOpen(request.ip))) {
    throw new AppError('rate_limited', 'Too many new sessions from this address; please wait a few minutes and try again.');
  }
  const { session, cookie } = await sessions.store.create();
  setSessionCookie(reply, sessions, cookie);
  return session;
}

/** After a successful verification: a fresh session id, so a cookie planted before login is worthless. */
export async function rotateSession(reply: FastifyReply, sessions: PortalSessions, session: Session, subjectKey?: string): Promise<Session> {
  const rotated = await sessions.store.rotate(session, subjectKey);
  setSessionCookie(reply, sessions, rotated.cookie);
  return rotated.session;
}

export async function endSession(reply: FastifyReply, sessions: PortalSessions, session: Session | undefined): Promise<void> {
  if (session) await sessions.store.destroy(session);
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0', ...(sessions.secure ? ['Secure'] : [])];
  reply.header('set-cookie', `${SESSION_COOKIE}=; ${attributes.join('; ')}`);
}

export function csrfField(session: Session): string {
  return csrfToken(session.key);
}

/** Every state-changing form carries the session's CSRF token. */
export function requireCsrf(session: Session | undefined, body: unknown): asserts session is Session {
  const token = (body as Record<string, unknown> | undefined)?._csrf;
  if (!session || !checkCsrf(session.key, token)) throw new AppError('csrf_failed', 'The form has expired. Please go back, reload the page and try again.');
}

/** The retrieval keys this session holds, by retrieval id (see RetrievalService). */
export function retrievalKeys(session: Session | undefined): Map<string, Buffer> {
  return new Map(Object.entries(session?.state.retrievalKeys ?? {}).map(([id, key]) => [id, Buffer.from(key, 'base64url')]));
}

/** Keeps a retrieval's key in the session; only the newest few are kept. */
export function rememberRetrievalKey(session: Session, retrievalId: string, key: Buffer): void {
  const kept = Object.entries(session.state.retrievalKeys ?? {}).slice(-(MAX_RETRIEVAL_KEYS - 1));
  session.state.retrievalKeys = Object.fromEntries([...kept, [retrievalId, key.toString('base64url')]]);
}

const MAX_RETRIEVAL_KEYS = 20;

/** What the page frame needs to offer sign-out: as soon as anyone is verified in this session. */
export function signedInView(session: Session | undefined): { csrf: string } | undefined {
  return session?.state.nationalId ? { csrf: csrfToken(session.key) } : undefined;
}
