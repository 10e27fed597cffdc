// A fresh database per test file: a temporary SQLite directory, or, when DATABASE_URL is set,
// a new PostgreSQL database created for the test and dropped after it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  databaseUrl: string | undefined;
  dataDir: string;
  engine: 'sqlite' | 'postgres';
  cleanup(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'omd-test-'));
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    return { databaseUrl: undefined, dataDir, engine: 'sqlite', cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `omd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir,
    engine: 'postgres',
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
