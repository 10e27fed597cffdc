// npm run operator -- service add FILE | list | remove ID | schema
// Registers service providers and their online services from a service registry file
// (docs/service-registry.schema.json), one provider at a time without touching the others, and
// records each change in the ledger.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeRegistryIssues } from '../../catalog/registry.ts';
import { listDatasets } from '../../catalog/repository.ts';
import { serviceJwksProblems } from '../../catalog/service-keys.ts';
import { type ServiceRegistry, serviceRegistryJsonSchema, serviceRegistrySchema } from '../../catalog/service-registry.ts';
import { listProviders, listServices, removeServiceOrProvider, ServiceConflictError, upsertProvider } from '../../catalog/service-repository.ts';
import { fail } from '../fail.ts';
import { EXIT, type OperatorSubject, openOperatorDatabase, recordOperatorAction, requireOperator, subjectCommand } from './context.ts';

const USAGE = `Usage: npm run operator -- service <command> [options]

  add FILE --operator NAME
      Validate FILE (a service registry file: docs/service-registry.schema.json) and register each
      service provider in it (its client id, keys, redirect URIs and services), or update it when
      already registered. Other providers stay as they are; a provider's services become those in
      FILE. Every data set a service names must be in the catalogue. Writes an operator_action
      entry to the ledger per provider.
  list [--json]
      The registered providers, their services and what each may ask for.
  remove ID --operator NAME
      Remove one service (by its id), or a provider and all its services (by its client id).
      Transfers under way finish; new authorization requests for it are refused.
  schema
      Print the service registry's JSON Schema (what docs/service-registry.schema.json holds).

Running hubs see a change within 5 s.
Exit codes: 0 done, 1 refused, 2 usage, 65 invalid file, 66 file or database not found, 78 bad configuration.`;

function options(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        operator: { type: 'string' },
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

function readServiceRegistry(file: string): ServiceRegistry {
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
  const parsed = serviceRegistrySchema.safeParse(json);
  if (!parsed.success) {
    fail(
      `${file} does not follow the service registry schema (docs/service-registry.schema.json):\n${describeRegistryIssues(json, parsed.error.issues).join('\n')}`,
      EXIT.dataError,
    );
  }
  return parsed.data;
}

/** A provider that publishes its keys at jwks_uri: see now whether they are there and will do. */
async function checkJwksUri(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
    if (!res.ok) return `answered HTTP ${res.status}`;
    const jwks = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(jwks.keys)) return 'did not answer a JWK Set';
    const problems = serviceJwksProblems(jwks as { keys: Array<Record<string, unknown>> });
    return problems.length > 0 ? problems.join('; ') : undefined;
  } catch (error) {
    return `could not be reached (${(error as Error).name})`;
  }
}

async function add(file: string, operator: string): Promise<number> {
  const registry = readServiceRegistry(file);
  const database = await openOperatorDatabase();
  try {
    const known = new Set((await listDatasets(database.db)).map((d) => d.id));
    const unknown = registry.providers.flatMap((p) =>
      p.services.flatMap((s) =>
        s.datasets.filter((d) => !known.has(d)).map((d) => `  - ${p.client_id}: service ${s.id} names data set ${d}, which is not in the catalogue`),
      ),
    );
    if (unknown.length > 0)
      fail(`Refused: a service may only ask for data sets in the catalogue (npm run operator -- agency list):\n${unknown.join('\n')}`, EXIT.refused);
    for (const provider of registry.providers) {
      let change: Awaited<ReturnType<typeof upsertProvider>>;
      try {
        change = await upsertProvider(database.db, provider);
      } catch (error) {
        if (error instanceof ServiceConflictError)
          fail(`Provider ${provider.client_id} not registered: ${error.message}. Service ids are unique; choose other ids.`, EXIT.refused);
        throw error;
      }
      const index = await recordOperatorAction(database, operator, {
        recipient: provider.client_id,
        datasets: [...new Set(provider.services.flatMap((s) => s.datasets))],
        purpose: 'service add',
        outcome: change.created ? 'service_added' : 'service_updated',
      });
      const parts = [
        change.added.length > 0 ? `added ${change.added.join(', ')}` : '',
        change.updated.length > 0 ? `updated ${change.updated.join(', ')}` : '',
      ];
      if (change.removed.length > 0) parts.push(`removed ${change.removed.join(', ')} (no longer in ${file})`);
      process.stdout.write(
        `${change.created ? 'Registered' : 'Updated'} service provider ${provider.client_id}: ${parts.filter(Boolean).join('; ')}. Ledger entry ${index}.\n`,
      );
      if (provider.jwks_uri) {
        const problem = await checkJwksUri(provider.jwks_uri);
        if (problem)
          process.stdout.write(
            `Warning: its jwks_uri ${provider.jwks_uri} ${problem}; its requests will fail until it serves a signing and an encryption key.\n`,
          );
      }
    }
    process.stdout.write(`Into ${database.where}.\n`);
    return EXIT.ok;
  } finally {
    await database.close();
  }
}

async function list(json: boolean): Promise<number> {
  const database = await openOperatorDatabase();
  try {
    const [providers, services] = await Promise.all([listProviders(database.db), listServices(database.db)]);
    const rows = providers.map((p) => ({
      client_id: p.clientId,
      name: p.name,
      keys: p.jwksUri ?? 'inline',
      redirect_uris: p.redirectUris,
      services: services
        .filter((s) => s.clientId === p.clientId)
        .map((s) => ({
          id: s.id,
          name: s.name,
          datasets: s.datasets,
          retention_days: s.retentionDays,
          start_url: s.startUrl,
          webhook_url: s.webhookUrl ?? null,
        })),
    }));
    if (json) {
      process.stdout.write(`${JSON.stringify({ providers: rows }, null, 2)}\n`);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      process.stdout.write(`No service providers registered in ${database.where}.\n`);
      return EXIT.ok;
    }
    const lines = rows.map(
      (r) =>
        `  ${r.client_id}  ${r.name['zh-TW']} · keys ${r.keys}\n${r.services.map((s) => `    ${s.id}  ${s.name['zh-TW']} · ${s.datasets.join(', ')} · kept ${s.retention_days} d · ${s.start_url}`).join('\n')}`,
    );
    process.stdout.write(`${rows.length} service providers in ${database.where}:\n${lines.join('\n')}\n`);
    return EXIT.ok;
  } finally {
    await database.close();
  }
}

async function remove(id: string, operator: string): Promise<number> {
  const database = await openOperatorDatabase();
  try {
    const removed = await removeServiceOrProvider(database.db, id);
    if (!removed) fail(`No service or service provider ${id} is registered. npm run operator -- service list shows those that are.`, EXIT.refused);
    const index = await recordOperatorAction(database, operator, {
      recipient: id,
      datasets: [],
      purpose: 'service remove',
      outcome: removed.kind === 'service' ? 'service_removed' : 'service_provider_removed',
    });
    const what = removed.kind === 'service' ? `service ${id}` : `service provider ${id} and its services (${removed.services.join(', ') || 'none'})`;
    process.stdout.write(`Removed ${what} from ${database.where}. Ledger entry ${index}.\n`);
    return EXIT.ok;
  } finally {
    await database.close();
  }
}

export const serviceCommands: OperatorSubject = {
  summary: 'register, list and remove online services (service providers, OAuth clients)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = options(args);
    const line = subjectCommand('service', USAGE, positionals, values.help);
    if (typeof line === 'number') return line;
    const { command, one } = line;
    switch (command) {
      case 'add':
        return add(one('FILE'), requireOperator(values.operator, 'service add'));
      case 'list':
        line.none();
        return list(values.json);
      case 'remove':
        return remove(one('service or client ID'), requireOperator(values.operator, 'service remove'));
      case 'schema':
        process.stdout.write(`${JSON.stringify(serviceRegistryJsonSchema(), null, 2)}\n`);
        return EXIT.ok;
      default:
        return line.unknown();
    }
  },
};
