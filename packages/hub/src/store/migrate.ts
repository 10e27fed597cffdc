// Versioned migrations, run at start-up. New migrations are appended to the list, never edited.
import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Db } from './database.ts';
import * as m0001 from './migrations/0001-catalogue-and-keys.ts';
import * as m0002 from './migrations/0002-ledger.ts';
import * as m0003 from './migrations/0003-sessions-and-consents.ts';
import * as m0004 from './migrations/0004-passkeys.ts';
import * as m0005 from './migrations/0005-retrievals.ts';
import * as m0006 from './migrations/0006-counters.ts';
import * as m0007 from './migrations/0007-services.ts';
import * as m0008 from './migrations/0008-agency-source.ts';
import * as m0009 from './migrations/0009-staff-passkeys.ts';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-catalogue-and-keys': m0001,
  '0002-ledger': m0002,
  '0003-sessions-and-consents': m0003,
  '0004-passkeys': m0004,
  '0005-retrievals': m0005,
  '0006-counters': m0006,
  '0007-services': m0007,
  '0008-agency-source': m0008,
  '0009-staff-passkeys': m0009,
};

class ListProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  // Migrations from parallel branches may land out of name order; each still runs exactly once.
  const migrator = new Migrator({ db, provider: new ListProvider(), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
