// /healthz: the process answers. /readyz: the database answers and the hub's keys are loaded.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/problem.ts';
import { pingDatabase, type Db } from '../store/database.ts';

export function healthRoutes(app: FastifyInstance, db: Db, keysReady: () => Promise<boolean>): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request) => {
    let database = 'ok';
    try {
      await pingDatabase(db);
    } catch (error) {
      request.log.warn({ err: error }, 'database ping failed');
      database = 'unavailable';
    }
    let keys = 'missing';
    if (database === 'ok') keys = (await keysReady().catch(() => false)) ? 'ok' : 'missing';
    if (database !== 'ok' || keys !== 'ok') throw new AppError('not_ready', `database: ${database}, keys: ${keys}`, undefined, { checks: { database, keys } });
    return { status: 'ready', checks: { database, keys } };
  });
}
