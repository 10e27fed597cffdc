// npm run operator -- agency add FILE | list | check ID | remove ID | schema
// Registers agencies from a registry file (docs/registry.schema.json) one by one, without touching
// the others, and records each change in the ledger.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeRegistryIssues, registryJsonSchema, registrySchema } from '../../catalog/registry.ts';
import { agencyDependents, CatalogueConflictError, listAgencies, listDatasets, removeAgency, upsertAgency } from '../../catalog/repository.ts';
import { fail } from '../fail.ts';
import { checkAgency } from './check-agency.ts';
import { EXIT, type OperatorSubject, openOperatorDatabase, recordOperatorAction, requireOperator, subjectCommand } from './context.ts';

const USAGE = `Usage: npm run operator -- agency <command> [options]

  add FILE --operator NAME
      Validate FILE (a registry file: docs/registry.schema.json) and register each agency in it,
      or update it when already registered. Other agencies stay as they are. An agency's data
      sets become those in FILE. Writes an operator_action entry to the ledger per agency.
  list [--json]
      The registered agencies, their addresses and data sets.
  check ID [--json]
      Ask the agency's /healthz, read its JWKS (ES256 keys, no private parts) and see that
      POST /v1/packages answers as the Provider API does. Exit 1 when something is wrong.
  remove ID --operator NAME [--force]
      Remove the agency and its data sets. Refused while unused consents name its data sets,
      unless --force. Writes an operator_action entry to the ledger.
  schema
      Print the registry's JSON Schema (what docs/registry.schema.json holds).

Running hubs see a change within 30 s. Note: a hub started with REGISTRY_FILE makes the catalogue
match that file at each start, so an agency added here and not in that file goes at the next
start; the demo reads extra files from OMD_EXTRA_REGISTRY_DIR (docs/joining-as-an-agency.md).
Exit codes: 0 done, 1 refused or a check failed, 2 usage, 65 invalid file, 66 file or database
not found, 78 bad configuration.`;

function options(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        operator: { type: 'string' },
        json: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, EXIT.usage);
  }
}

function readRegistryFile(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? `${file} does not exist.` : `Cannot read ${file} (${code ?? 'error'}).`, EXIT.noInput);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail(`${file} is not JSON: ${(error as Error).message}`, EXIT.dataError);
  }
  const parsed = registrySchema.safeParse(json);
  if (!parsed.success) {
    fail(
      `${file} does not follow the registry schema (docs/registry.schema.json):\n${describeRegistryIssues(json, parsed.error.issues).join('\n')}`,
      EXIT.dataError,
    );
  }
  return parsed.data;
}

async function add(file: string, operator: string): Promise<number> {
  const registry = readRegistryFile(file);
  const database = await openOperatorDatabase();
  try {
    // All or nothing for conflicts: a file is refused before any of its agencies is registered.
    const owners = new Map((await listDatasets(database.db)).map((d) => [d.id, d.agencyId]));
    const conflicts = registry.agencies.flatMap((a) =>
      a.datasets
        .filter((d) => owners.has(d.id) && owners.get(d.id) !== a.id)
        .map((d) => `  - ${a.id}: data set ${d.id} is already registered by agency ${owners.get(d.id)}`),
    );
    if (conflicts.length > 0) fail(`Refused: data set ids are unique across the catalogue, and ${file} reuses some:\n${conflicts.join('\n')}`, EXIT.refused);
    for (const agency of registry.agencies) {
      let change: Awaited<ReturnType<typeof upsertAgency>>;
      try {
        change = await upsertAgency(database.db, agency);
      } catch (error) {
        if (error instanceof CatalogueConflictError) {
          fail(`Agency ${agency.id} not registered: ${error.message}. Data set ids are unique across the catalogue; choose other ids.`, EXIT.refused);
        }
        throw error;
      }
      const { added, updated, removed } = change.datasets;
      const index = await recordOperatorAction(database, operator, {
        recipient: agency.id,
        datasets: [...added, ...updated],
        purpose: 'agency add',
        outcome: change.created ? 'agency_added' : 'agency_updated',
      });
      const parts = [added.length > 0 ? `added ${added.join(', ')}` : '', updated.length > 0 ? `updated ${updated.join(', ')}` : ''];
      if (removed.length > 0) parts.push(`removed ${removed.join(', ')} (no longer in ${file})`);
      process.stdout.write(
        `${change.created ? 'Registered' : 'Updated'} agency ${agency.id} at ${agency.base_url}: ${parts.filter(Boolean).join('; ')}. Ledger entry ${index}.\n`,
      );
    }
    process.stdout.write(`Into ${database.where}. Check each with: npm run operator -- agency check ID\n`);
    return EXIT.ok;
  } finally {
    await database.close();
  }
}

async function list(json: boolean): Promise<number> {
  const database = await openOperatorDatabase();
  try {
    const [agencies, datasets] = await Promise.all([listAgencies(database.db), listDatasets(database.db)]);
    const rows = agencies.map((a) => ({
      id: a.id,
      name: a.name,
      base_url: a.baseUrl,
      jwks_url: a.jwksUrl,
      maintenance: a.maintenance,
      datasets: datasets.filter((d) => d.agencyId === a.id).map((d) => d.id),
    }));
    if (json) {
      process.stdout.write(`${JSON.stringify({ agencies: rows }, null, 2)}\n`);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      process.stdout.write(`No agencies registered in ${database.where}.\n`);
      return EXIT.ok;
    }
    const width = Math.max(...rows.map((r) => r.id.length));
    const lines = rows.map((r) => {
      const defaultJwks = new URL('/.well-known/jwks.json', r.base_url).toString();
      const jwks = r.jwks_url === defaultJwks ? '' : `  keys ${r.jwks_url}`;
      return `  ${r.id.padEnd(width)}  ${r.base_url}${jwks}\n  ${' '.repeat(width)}  ${r.name['zh-TW']} · ${r.datasets.join(', ')}`;
    });
    process.stdout.write(`${rows.length} agencies in ${database.where}:\n${lines.join('\n')}\n`);
    return EXIT.ok;
  } finally {
    await database.close();
  }
}

async function check(id: string, json: boolean): Promise<number> {
  const database = await openOperatorDatabase();
  let agency: Awaited<ReturnType<typeof listAgencies>>[number] | undefined;
  try {
    agency = (await listAgencies(database.db)).find((a) => a.id === id);
  } finally {
    await database.close();
  }
  if (!agency) fail(`No agency ${id} is registered. npm run operator -- agency list shows those that are.`, EXIT.refused);
  const results = await checkAgency(agency);
  const failed = results.filter((r) => r.status === 'fail');
  if (json) {
    process.stdout.write(`${JSON.stringify({ agency: id, ok: failed.length === 0, checks: results }, null, 2)}\n`);
  } else {
    const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
    const lines = results.map((r) => `  ${mark[r.status]}  ${r.check.padEnd(12)} ${r.detail}`);
    const verdict =
      failed.length === 0
        ? `OK: ${id} answers, publishes its keys and serves the Provider API.`
        : `NOT OK: ${failed.length} check${failed.length === 1 ? '' : 's'} failed (${failed.map((r) => r.check).join(', ')}).`;
    process.stdout.write(`Agency ${id} (${agency.baseUrl})\n${lines.join('\n')}\n${verdict}\n`);
  }
  return failed.length === 0 ? EXIT.ok : EXIT.refused;
}

async function remove(id: string, operator: string, force: boolean): Promise<number> {
  const database = await openOperatorDatabase();
  try {
    if (!(await listAgencies(database.db)).some((a) => a.id === id)) {
      fail(`No agency ${id} is registered. npm run operator -- agency list shows those that are.`, EXIT.refused);
    }
    const dependents = await agencyDependents(database.db, id);
    process.stdout.write(
      `Removing ${id} removes its data sets from the catalogue: ${dependents.datasets.join(', ') || '(none)'}. ` +
        'Requests for them will fail as dataset_unknown; ledger entries that name them stay.\n',
    );
    if (dependents.openConsents > 0) {
      const message = `${dependents.openConsents} granted, unused consent${dependents.openConsents === 1 ? '' : 's'} name${dependents.openConsents === 1 ? 's' : ''} these data sets (the last expires ${dependents.openConsentsUntil}); they would fail.`;
      if (!force) fail(`Refused: ${message} Wait until then, or pass --force.`, EXIT.refused);
      process.stdout.write(`Warning: ${message} Removing anyway (--force).\n`);
    }
    await removeAgency(database.db, id);
    const index = await recordOperatorAction(database, operator, {
      recipient: id,
      datasets: dependents.datasets,
      purpose: 'agency remove',
      outcome: 'agency_removed',
    });
    process.stdout.write(`Removed agency ${id} from ${database.where}. Ledger entry ${index}.\n`);
    return EXIT.ok;
  } finally {
    await database.close();
  }
}

export const agencyCommands: OperatorSubject = {
  summary: 'register, list, check and remove agencies (data providers)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = options(args);
    const line = subjectCommand('agency', USAGE, positionals, values.help);
    if (typeof line === 'number') return line;
    const { command, one } = line;
    switch (command) {
      case 'add':
        return add(one('FILE'), requireOperator(values.operator, 'agency add'));
      case 'list':
        line.none();
        return list(values.json);
      case 'check':
        return check(one('agency ID'), values.json);
      case 'remove':
        return remove(one('agency ID'), requireOperator(values.operator, 'agency remove'), values.force);
      case 'schema':
        process.stdout.write(`${JSON.stringify(registryJsonSchema(), null, 2)}\n`);
        return EXIT.ok;
      default:
        return line.unknown();
    }
  },
};
