// What every operator command shares: exit codes, the hub's configuration and database, the
// operator's name, and the ledger entry a state-changing command leaves.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, ConfigError, loadConfig } from '../../config.ts';
import { type LedgerEntryInput, looksLikePersonId } from '../../ledger/entry.ts';
import { Ledger } from '../../ledger/ledger.ts';
import { resolveSecret } from '../../keys/secret.ts';
import { type Db, type Engine, openDatabase } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { fail } from '../fail.ts';

/** Exit codes, as sysexits.h names them; the ledger command uses the same. */
export const EXIT = { ok: 0, refused: 1, usage: 2, dataError: 65, noInput: 66, config: 78 } as const;

/** One subject of `npm run operator -- <subject> <command> ...` (agency now; service and counter later). */
export interface OperatorSubject {
  /** One line for the top-level usage. */
  summary: string;
  usage: string;
  /** Runs the command given by args; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

export interface OperatorDatabase {
  config: Config;
  db: Db;
  engine: Engine;
  /** Where the database is, for messages: "SQLite var/hub.sqlite" or "PostgreSQL host/db". */
  where: string;
  close(): Promise<void>;
}

export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, EXIT.config);
    throw error;
  }
}

/** Opens the hub's database (DATA_DIR or DATABASE_URL); a missing SQLite file is an error, not a new database. */
export async function openOperatorDatabase(): Promise<OperatorDatabase> {
  const config = configOrExit();
  let where: string;
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    where = `PostgreSQL ${url.host}${url.pathname}`;
  } else {
    const file = join(config.dataDir, 'hub.sqlite');
    if (!existsSync(file)) fail(`No hub database at ${file}. Set DATA_DIR (or DATABASE_URL) to the hub's, or start the hub once to create it.`, EXIT.noInput);
    where = `SQLite ${file}`;
  }
  const { db, engine } = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    fail(`Cannot use the hub database at ${where}: ${(error as Error).message}`, EXIT.noInput);
  }
  return { config, db, engine, where, close: () => db.destroy() };
}

const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The --operator value a state-changing command requires: who is doing it, as the ledger records it. */
export function requireOperator(name: string | undefined, command: string): string {
  if (name === undefined || name === '') {
    fail(`${command} changes the catalogue, so it needs --operator NAME: who you are, as the ledger records it (e.g. --operator alice).`, EXIT.usage);
  }
  if (!OPERATOR_NAME.test(name) || looksLikePersonId(name)) {
    fail('--operator takes a short name: letters, digits and . _ : - (at most 128), not a national ID.', EXIT.usage);
  }
  return name;
}

/** Appends the operator_action entry that says who changed what. */
export async function recordOperatorAction(
  database: OperatorDatabase,
  operator: string,
  entry: Required<Pick<LedgerEntryInput, 'recipient' | 'purpose' | 'outcome'>> & { datasets: readonly string[] },
): Promise<number> {
  const ledger = new Ledger({ db: database.db, engine: database.engine, secret: resolveSecret(database.config.secret, database.config.dataDir) });
  const [appended] = await ledger.append([{ action: 'operator_action', actor: { kind: 'operator', id: operator }, ...entry }]);
  if (!appended) throw new Error('the ledger appended nothing');
  return appended.index;
}

/** A subject's command and its arguments, with the argument checks every subject makes. */
export interface SubjectCommand {
  command: string;
  rest: string[];
  /** The one argument the command takes (named `what` in the usage error). */
  one(what: string): string;
  /** Refuses arguments the command does not take. */
  none(): void;
  /** Refuses an unknown command. */
  unknown(): never;
}

/**
 * Reads `<command> [args]` for one subject; with --help or no command, prints the usage and
 * returns the exit code instead (0 when help was asked for, usage error otherwise).
 */
export function subjectCommand(subject: string, usage: string, positionals: string[], help: boolean | undefined): SubjectCommand | number {
  const [command, ...rest] = positionals;
  if (help || command === undefined) {
    process.stdout.write(`${usage}\n`);
    return help ? EXIT.ok : EXIT.usage;
  }
  return {
    command,
    rest,
    one(what) {
      if (rest.length !== 1) fail(`${subject} ${command} takes exactly one ${what}.\n\n${usage}`, EXIT.usage);
      return rest[0] as string;
    },
    none() {
      if (rest.length > 0) fail(`${subject} ${command} takes no arguments.\n\n${usage}`, EXIT.usage);
    },
    unknown() {
      return fail(`Unknown ${subject} command "${command}".\n\n${usage}`, EXIT.usage);
    },
  };
}
