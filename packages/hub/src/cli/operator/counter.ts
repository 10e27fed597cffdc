// npm run operator -- counter add FILE | list | remove OFFICE | staff add|list|disable|enable|reset|import
// Registers local governments' offices and counter services from a counters registry file, and
// manages counter staff accounts (bound to one office, clerk or supervisor). Each change is a ledger entry.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { RegistryError } from '../../catalog/registry.ts';
import { parseCounterRegistry } from '../../counter/counter-registry.ts';
import { applyCounterRegistry, listOffices, listServices, listStaff, removeOffice, STAFF_ROLES, type StaffRole } from '../../counter/counter-repository.ts';
import { disableStaffAccount, newStaffCredentials, putStaffAccount, resetStaffAccount, StaffAdminError } from '../../counter/staff-admin.ts';
import { totpUri } from '../../counter/staff-credentials.ts';
import { resolveSecret } from '../../keys/secret.ts';
import { fail } from '../fail.ts';
import { EXIT, type OperatorDatabase, type OperatorSubject, openOperatorDatabase, recordOperatorAction, requireOperator, subjectCommand } from './context.ts';

const USAGE = `Usage: npm run operator -- counter <command> [options]

  add FILE --operator NAME
      Validate FILE (a counters registry: local governments, their offices, each office's counter
      services with their purpose and data sets) and register each office, or update it. Other
      offices stay; an office's services become those in FILE. One ledger entry per office.
  list [--json]
      The offices, their counter services and staff.
  remove OFFICE --operator NAME
      Remove the office and its counter services; its staff accounts are disabled.
  staff add ID --office OFFICE --role clerk|supervisor --operator NAME
      Make a staff account bound to OFFICE. Prints a new password and TOTP secret once: hand them
      to the clerk (the TOTP secret goes into an authenticator app, e.g. as the printed otpauth URI).
  staff list [--office OFFICE] [--json]
  staff disable ID --operator NAME      the account cannot sign in; its sessions end at once
  staff enable ID --operator NAME
  staff reset ID --operator NAME        new password and TOTP secret (printed once); sessions end,
                                        passkeys are removed
  staff import FILE --operator NAME
      Accounts with given credentials (moving from another system): a JSON list of
      { "id", "office", "role", "password", "totp_secret" }. Existing accounts are updated.

Running hubs see counter changes within 30 s. A hub started with COUNTER_REGISTRY_FILE makes the
counters match that file at each start. Exit codes: 0 done, 1 refused, 2 usage, 65 invalid file,
66 file or database not found, 78 bad configuration.`;

function options(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        operator: { type: 'string' },
        office: { type: 'string' },
        role: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, EXIT.usage);
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? `${file} does not exist.` : `Cannot read ${file} (${code ?? 'error'}).`, EXIT.noInput);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(`${file} is not JSON: ${(error as Error).message}`, EXIT.dataError);
  }
}

async function withDatabase<T>(work: (database: OperatorDatabase) => Promise<T>): Promise<T> {
  const database = await openOperatorDatabase();
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

async function add(file: string, operator: string): Promise<number> {
  let registry: ReturnType<typeof parseCounterRegistry>;
  try {
    registry = parseCounterRegistry(readJson(file), file);
  } catch (error) {
    if (error instanceof RegistryError) fail(error.message, EXIT.dataError);
    throw error;
  }
  return withDatabase(async (database) => {
    const change = await applyCounterRegistry(database.db, registry, { exact: false });
    for (const government of registry.governments) {
      for (const office of government.offices) {
        const index = await recordOperatorAction(database, operator, {
          recipient: office.id,
          datasets: [...new Set(office.services.flatMap((s) => s.datasets))],
          purpose: 'counter add',
          outcome: change.offices.added.includes(office.id) ? 'counter_office_added' : 'counter_office_updated',
        });
        process.stdout.write(
          `${change.offices.added.includes(office.id) ? 'Registered' : 'Updated'} office ${office.id} (${office.name['zh-TW']}): ${office.services.map((s) => s.id).join(', ')}. Ledger entry ${index}.\n`,
        );
      }
    }
    if (change.services.removed.length > 0) process.stdout.write(`Removed counter services no longer in ${file}: ${change.services.removed.join(', ')}.\n`);
    process.stdout.write(`Into ${database.where}.\n`);
    return EXIT.ok;
  });
}

async function list(json: boolean): Promise<number> {
  return withDatabase(async (database) => {
    const [offices, services, staff] = await Promise.all([listOffices(database.db), listServices(database.db), listStaff(database.db)]);
    const rows = offices.map((o) => ({
      id: o.id,
      local_government: o.government,
      name: o.name,
      services: services.filter((s) => s.officeId === o.id).map((s) => ({ id: s.id, name: s.name, datasets: s.datasets })),
      staff: staff.filter((s) => s.officeId === o.id).map((s) => ({ id: s.id, role: s.role, disabled: Boolean(s.disabledAt) })),
    }));
    if (json) {
      process.stdout.write(`${JSON.stringify({ offices: rows }, null, 2)}\n`);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      process.stdout.write(`No counter offices registered in ${database.where}.\n`);
      return EXIT.ok;
    }
    const lines = rows.map(
      (r) =>
        `  ${r.id}  ${r.local_government.name['zh-TW']} · ${r.name['zh-TW']}\n${r.services.map((s) => `      ${s.id}  ${s.name['zh-TW']} · ${s.datasets.join(', ')}`).join('\n')}\n      staff: ${
          r.staff.map((s) => `${s.id} (${s.role}${s.disabled ? ', disabled' : ''})`).join(', ') || '(none)'
        }`,
    );
    process.stdout.write(`${rows.length} offices in ${database.where}:\n${lines.join('\n')}\n`);
    return EXIT.ok;
  });
}

async function remove(officeId: string, operator: string): Promise<number> {
  return withDatabase(async (database) => {
    const removed = await removeOffice(database.db, officeId);
    if (!removed) fail(`No office ${officeId} is registered. npm run operator -- counter list shows those that are.`, EXIT.refused);
    const index = await recordOperatorAction(database, operator, {
      recipient: officeId,
      datasets: [],
      purpose: 'counter remove',
      outcome: 'counter_office_removed',
    });
    process.stdout.write(
      `Removed office ${officeId} and its services (${removed.services.join(', ') || 'none'}); disabled its staff (${removed.staff.join(', ') || 'none'}). Ledger entry ${index}.\n`,
    );
    return EXIT.ok;
  });
}

function printCredentials(id: string, credentials: { password: string; totpSecret: string }): void {
  process.stdout.write(
    `  password:    ${credentials.password}\n  TOTP secret: ${credentials.totpSecret}\n  otpauth URI: ${totpUri(credentials.totpSecret, id)}\n` +
      'Hand these to the clerk now; they are not shown again (the hub keeps only a hash and a sealed secret).\n',
  );
}

function role(value: string | undefined): StaffRole {
  if (!value || !(STAFF_ROLES as readonly string[]).includes(value)) fail(`--role takes ${STAFF_ROLES.join(' or ')}.`, EXIT.usage);
  return value as StaffRole;
}

const importSchema = z
  .array(
    z.strictObject({
      id: z.string(),
      office: z.string(),
      role: z.enum(['clerk', 'supervisor']),
      password: z.string(),
      totp_secret: z.string(),
    }),
  )
  .max(10_000);

async function staffCommand(command: string | undefined, rest: string[], values: ReturnType<typeof options>['values']): Promise<number> {
  const one = (what: string): string => {
    if (rest.length !== 1) fail(`counter staff ${command} takes exactly one ${what}.\n\n${USAGE}`, EXIT.usage);
    return rest[0] as string;
  };
  const refused = (error: unknown): never => {
    if (error instanceof StaffAdminError) fail(`Refused: ${error.message}.`, EXIT.refused);
    throw error;
  };
  switch (command) {
    case 'add': {
      const id = one('account ID');
      const operator = requireOperator(values.operator, 'counter staff add');
      if (!values.office) fail('counter staff add needs --office OFFICE (npm run operator -- counter list shows them).', EXIT.usage);
      const office = values.office;
      const staffRole = role(values.role);
      return withDatabase(async (database) => {
        const credentials = newStaffCredentials();
        const secret = resolveSecret(database.config.secret, database.config.dataDir);
        await putStaffAccount(database.db, secret, { id, officeId: office, role: staffRole, ...credentials }, { update: false }).catch(refused);
        const index = await recordOperatorAction(database, operator, {
          recipient: id,
          datasets: [],
          purpose: 'counter staff add',
          outcome: `staff_added_${staffRole}`,
        });
        process.stdout.write(`Made ${staffRole} account ${id} at office ${office}. Ledger entry ${index}.\n`);
        printCredentials(id, credentials);
        return EXIT.ok;
      });
    }
    case 'list': {
      if (rest.length > 0) fail(`counter staff list takes no arguments.\n\n${USAGE}`, EXIT.usage);
      return withDatabase(async (database) => {
        const staff = await listStaff(database.db, values.office);
        const rows = staff.map((s) => ({ id: s.id, office: s.officeId, role: s.role, disabled: Boolean(s.disabledAt), created_at: s.createdAt.toISOString() }));
        if (values.json) process.stdout.write(`${JSON.stringify({ staff: rows }, null, 2)}\n`);
        else if (rows.length === 0) process.stdout.write('No staff accounts.\n');
        else process.stdout.write(`${rows.map((r) => `  ${r.id.padEnd(40)} ${r.office.padEnd(28)} ${r.role}${r.disabled ? ' (disabled)' : ''}`).join('\n')}\n`);
        return EXIT.ok;
      });
    }
    case 'disable':
    case 'enable': {
      const id = one('account ID');
      const operator = requireOperator(values.operator, `counter staff ${command}`);
      return withDatabase(async (database) => {
        if (!(await disableStaffAccount(database.db, id, command === 'disable'))) fail(`No staff account ${id}.`, EXIT.refused);
        const index = await recordOperatorAction(database, operator, {
          recipient: id,
          datasets: [],
          purpose: `counter staff ${command}`,
          outcome: `staff_${command}d`,
        });
        process.stdout.write(`${command === 'disable' ? 'Disabled' : 'Enabled'} ${id}. Ledger entry ${index}.\n`);
        return EXIT.ok;
      });
    }
    case 'reset': {
      const id = one('account ID');
      const operator = requireOperator(values.operator, 'counter staff reset');
      return withDatabase(async (database) => {
        const credentials = await resetStaffAccount(database.db, resolveSecret(database.config.secret, database.config.dataDir), id);
        if (!credentials) fail(`No staff account ${id}.`, EXIT.refused);
        const index = await recordOperatorAction(database, operator, { recipient: id, datasets: [], purpose: 'counter staff reset', outcome: 'staff_reset' });
        process.stdout.write(`New credentials for ${id}. Ledger entry ${index}.\n`);
        printCredentials(id, credentials);
        return EXIT.ok;
      });
    }
    case 'import': {
      const file = one('FILE');
      const operator = requireOperator(values.operator, 'counter staff import');
      const parsed = importSchema.safeParse(readJson(file));
      if (!parsed.success)
        fail(
          `${file} is not a list of { id, office, role, password, totp_secret }: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`,
          EXIT.dataError,
        );
      return withDatabase(async (database) => {
        const secret = resolveSecret(database.config.secret, database.config.dataDir);
        for (const entry of parsed.data) {
          const outcome = await putStaffAccount(
            database.db,
            secret,
            { id: entry.id, officeId: entry.office, role: entry.role, password: entry.password, totpSecret: entry.totp_secret },
            { update: true },
          ).catch(refused);
          await recordOperatorAction(database, operator, { recipient: entry.id, datasets: [], purpose: 'counter staff import', outcome: `staff_${outcome}` });
          process.stdout.write(`${outcome === 'created' ? 'Made' : 'Updated'} ${entry.role} account ${entry.id} at ${entry.office}.\n`);
        }
        return EXIT.ok;
      });
    }
    default:
      fail(`Unknown counter staff command "${command ?? ''}".\n\n${USAGE}`, EXIT.usage);
  }
}

export const counterCommands: OperatorSubject = {
  summary: 'register offices and counter services (mode 2), manage counter staff accounts',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = options(args);
    const line = subjectCommand('counter', USAGE, positionals, values.help);
    if (typeof line === 'number') return line;
    const { command, rest, one } = line;
    switch (command) {
      case 'add':
        return add(one('FILE'), requireOperator(values.operator, 'counter add'));
      case 'list':
        line.none();
        return list(values.json);
      case 'remove':
        return remove(one('office ID'), requireOperator(values.operator, 'counter remove'));
      case 'staff':
        return staffCommand(rest[0], rest.slice(1), values);
      default:
        return line.unknown();
    }
  },
};
