// Drives the portal's production routes over HTTP as a signed-in person, without a browser: the
// session is made by the real session store exactly as a completed login leaves it (verified by a
// method, known subject), and requests carry its cookie and CSRF token.
import { csrfToken } from '../../src/identity/session/csrf.ts';
import { SESSION_COOKIE, SessionStore } from '../../src/identity/session/session-store.ts';
import type { Hub } from '../../src/hub.ts';

export interface PortalClient {
  cookie: string;
  csrf: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, form: Record<string, string | string[]>): Promise<Response>;
}

export async function signedIn(hub: Pick<Hub, 'db' | 'subjectKey'>, baseUrl: string, nationalId: string, level: 1 | 2 | 3 | 4 = 1): Promise<PortalClient> {
  const store = new SessionStore(hub.db);
  const { session, cookie } = await store.create();
  session.state.nationalId = nationalId;
  session.state.authenticated = true;
  session.state.verifications = [{ method: level === 1 ? 'x509' : 'oidc', level, at: new Date().toISOString(), reference: 'test' }];
  const subjectKey = hub.subjectKey(nationalId);
  await store.save(session, subjectKey);
  await hub.db
    .insertInto('known_subjects')
    .values({ subject_key: subjectKey, first_seen_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('subject_key').doNothing())
    .execute();
  return clientFor(baseUrl, `${SESSION_COOKIE}=${cookie}`, csrfToken(session.key));
}

export function clientFor(baseUrl: string, cookie: string, csrf: string): PortalClient {
  const headers = { cookie, accept: 'text/html' };
  return {
    cookie,
    csrf,
    get: (path, init = {}) => fetch(`${baseUrl}${path}`, { redirect: 'manual', ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } }),
    post: (path, form) => {
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries({ _csrf: csrf, ...form })) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
      return fetch(`${baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    },
  };
}

/** Follows a retrieval's live progress over its server-sent events until it has finished. */
export async function untilFinished(client: PortalClient, retrievalPath: string): Promise<void> {
  const res = await client.get(`${retrievalPath}/events`, { headers: { accept: 'text/event-stream' } });
  if (res.status !== 200 || !res.body) throw new Error(`events answered ${res.status}`);
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    for (const line of buffered.split('\n')) {
      if (line.startsWith('data: ') && (JSON.parse(line.slice(6)) as { finished: boolean }).finished) return;
    }
  }
  throw new Error('the event stream ended before the retrieval finished');
}
