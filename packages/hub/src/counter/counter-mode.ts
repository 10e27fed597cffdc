// Mode 2 wired onto the hub's core: the counters registry (loaded from COUNTER_REGISTRY_FILE when
// set), the counter rules, staff sign-in and sessions, and what the composition root plugs in: the
// console surface, the citizen pages, GET /api/v1/counters, names for the history, the sweeper.
import type { FastifyInstance } from 'fastify';
import type { KeyResolver } from '@openmydata/protocol';
import type { Agency } from '../catalog/repository.ts';
import { codeKeys } from '../delivery/counter/counter-code.ts';
import { COUNTER_TIMES, CounterService } from '../delivery/counter/counter-service.ts';
import type { HubCore } from '../hub.ts';
import type { Notifier } from '../notify/index.ts';
import type { Surface } from '../server.ts';
import { counterPages } from '../web/counter-pages.ts';
import type { RecipientNames } from '../web/history-names.ts';
import type { PortalSessions } from '../web/portal-session.ts';
import { consolePlugin } from './console/console-plugin.ts';
import { CounterDirectory } from './counter-directory.ts';
import { loadCounterRegistryFile } from './counter-registry.ts';
import { applyCounterRegistry } from './counter-repository.ts';
import { counterApiRoutes } from './counter-routes.ts';
import type { RelyingParty } from '../identity/passkey/webauthn.ts';
import { StaffAuth } from './staff-auth.ts';
import { StaffPasskeys } from './staff-passkeys.ts';
import { StaffSessionStore } from './staff-sessions.ts';

export interface CounterModeOptions {
  core: HubCore;
  notifier: Notifier;
  agencyKeys: (agency: Agency) => KeyResolver;
  portalSessions: PortalSessions;
  /** The hub's WebAuthn relying party (PASSKEY_*), shared with the citizens' passkeys. */
  relyingParty: RelyingParty;
  /** Counters registry to make the database match at start (COUNTER_REGISTRY_FILE). */
  registryFile?: string | undefined;
  now?: () => Date;
}

export interface CounterMode {
  directory: CounterDirectory;
  counters: CounterService;
  staff: StaffAuth;
  staffSessions: StaffSessionStore;
  surface: Surface;
  portalPages: (app: FastifyInstance) => void;
  apiRoutes: (app: FastifyInstance) => void;
  recipientNames: RecipientNames;
  sweep(): Promise<unknown>;
}

export async function createCounterMode(options: CounterModeOptions): Promise<CounterMode> {
  const { core } = options;
  const now = options.now;
  if (options.registryFile) {
    const change = await applyCounterRegistry(core.db, await loadCounterRegistryFile(options.registryFile), { exact: true });
    core.logger.info({ registry: options.registryFile, offices: change.offices.added.length + change.offices.updated.length }, 'counters loaded from registry');
  }
  const directory = new CounterDirectory(core.db, core.catalogue);
  await directory.warm();
  const codes = codeKeys(core.secret);
  const counters = new CounterService({
    db: core.db,
    ledger: core.ledger,
    retrievals: core.retrievals,
    directory,
    codes,
    notifier: options.notifier,
    agencyKeys: options.agencyKeys,
    publicUrl: core.config.publicUrl,
    logger: core.logger,
    ...(now ? { now } : {}),
  });
  const staffSessions = new StaffSessionStore(core.db, now);
  const staffPasskeys = new StaffPasskeys(core.db, options.relyingParty, now);
  const staff = new StaffAuth({
    db: core.db,
    ledger: core.ledger,
    secret: core.secret,
    sessions: staffSessions,
    passkeys: staffPasskeys,
    clientPseudonym: core.clientPseudonym,
    ...(now ? { now } : {}),
  });
  const delivery = { db: core.db, codes, packageTtlMs: COUNTER_TIMES.packageMs, codeTtlMs: COUNTER_TIMES.codeMs, ...(now ? { now } : {}) };
  return {
    directory,
    counters,
    staff,
    staffSessions,
    surface: {
      prefix: '/console',
      plugin: async (app) =>
        app.register(consolePlugin, {
          auth: staff,
          sessions: staffSessions,
          passkeys: staffPasskeys,
          counters,
          directory,
          db: core.db,
          secret: core.secret,
          secure: core.config.publicUrl.startsWith('https:'),
          logger: core.logger,
        }),
    },
    portalPages: (app) =>
      counterPages(app, {
        sessions: options.portalSessions,
        retrievals: core.retrievals,
        directory,
        counters,
        delivery,
        acceptsMobile: options.notifier.sms === true,
      }),
    apiRoutes: counterApiRoutes(directory),
    recipientNames: directory.recipientNames(),
    async sweep() {
      // The directory reloads too, so the history's names follow registry changes.
      await directory.warm();
      return Promise.all([counters.sweep(), staffSessions.purgeExpired(), staffPasskeys.purgeExpired()]);
    },
  };
}
