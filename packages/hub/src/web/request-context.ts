// What every portal route gets without asking: the page language and its translator, the visitor's
// session (loaded once per request, on first need), and reply.page() for the page frame. Registered
// inside the portal plugin, so these decorators belong to the portal alone.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Session } from '../identity/session/session-store.ts';
import { portalContext, sendPage } from './context.ts';
import type { Html } from './html.ts';
import type { Lang, Translate } from './i18n.ts';
import { page } from './layout.ts';
import { currentSession, type PortalSessions, signedInView } from './portal-session.ts';

export interface PageOptions {
  title: string;
  /** Path of this page without the query, for the language switch. */
  path: string;
  query?: Record<string, string> | URLSearchParams;
  body: Html;
  status?: number;
  /** The session whose sign-out form the frame shows; by default the request's own. */
  session?: Session | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
    t: Translate;
    /** The visitor's session, if any; loaded once per request. */
    session(): Promise<Session | undefined>;
  }
  interface FastifyReply {
    /** Sends an HTML page in the request's language, inside the portal's frame. */
    page(options: PageOptions): Promise<FastifyReply>;
  }
}

const SESSION = Symbol('session');

type WithSession = FastifyRequest & { [SESSION]?: Promise<Session | undefined> };

export const requestContext = fp<{ sessions: PortalSessions }>(
  async (app: FastifyInstance, options) => {
    app.decorateRequest('lang', 'zh-TW');
    app.decorateRequest('t', undefined as unknown as Translate);
    app.decorateRequest('session', function (this: FastifyRequest) {
      const self = this as WithSession;
      self[SESSION] ??= currentSession(this, options.sessions);
      return self[SESSION];
    });
    app.decorateReply('page', async function (this: FastifyReply, input: PageOptions) {
      const request = this.request;
      const session = 'session' in input ? input.session : await request.session();
      const html = page({
        lang: request.lang,
        t: request.t,
        title: input.title,
        path: input.path,
        ...(input.query ? { query: input.query } : {}),
        body: input.body,
        signedIn: signedInView(session),
      });
      return sendPage(this, html, input.status ?? 200);
    });
    app.addHook('onRequest', async (request, reply) => {
      const { lang, t } = portalContext(request, reply);
      request.lang = lang;
      request.t = t;
    });
  },
  { name: 'portal-request-context' },
);

/** Forget the cached session after the route replaced it (login, logout). */
export function forgetSession(request: FastifyRequest): void {
  delete (request as WithSession)[SESSION];
}
