// npm run fetch -- --subject A123456789 --datasets household-personal,income
// Drives the broker against the running agencies, as a hub process sharing the hub's database,
// and prints each data set's outcome. Records are shown on the terminal only with --show; nothing
// is written to disk.
import { parseArgs } from 'node:util';
import { checkPersonIdentifier, type PackageData } from '@openmydata/protocol';
import { listDatasets } from '../catalog/repository.ts';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { openHubCore } from '../hub.ts';
import { createLogger } from '../log.ts';
import { describeOutcome, ProgressDisplay } from './progress.ts';
import { fail } from './fail.ts';

const USAGE = `Usage: npm run fetch -- --subject <national ID> (--datasets <id,id,...> | --all) [--show] [--json]

  --subject    national ID or resident certificate number of a synthetic citizen (e.g. A123456789)
  --datasets   comma-separated data set ids (see GET /api/v1/datasets)
  --all        every data set in the catalogue
  --show       print the records of verified packages to this terminal (never to disk)
  --json       print outcomes as JSON lines instead of text
Environment: the hub's own (DATA_DIR, DATABASE_URL, HUB_PORT); start the demo first with npm start.`;

function parseOptions() {
  return parseArgs({
    options: {
      subject: { type: 'string' },
      datasets: { type: 'string' },
      all: { type: 'boolean', default: false },
      show: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }).values;
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseOptions>;
  try {
    args = parseOptions();
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!args.subject) fail(`--subject is required.\n\n${USAGE}`);
  const subject = checkPersonIdentifier(args.subject);
  if (!subject.ok) {
    fail(
      subject.reason === 'checksum'
        ? 'The national ID has a wrong check digit. 身分證統一編號檢查碼有誤。'
        : 'A national ID is one letter and nine digits, e.g. A123456789. 身分證統一編號應為一個英文字母加九個數字。',
    );
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 78);
    throw error;
  }
  try {
    const ready = await fetch(`${config.publicUrl}/readyz`, { signal: AbortSignal.timeout(3000) });
    if (!ready.ok) fail(`The hub at ${config.publicUrl} is not ready (${ready.status}). Start the demo with npm start.`, 69);
  } catch {
    fail(`The hub at ${config.publicUrl} is not running; agencies check its keys. Start the demo with npm start.`, 69);
  }

  const core = await openHubCore(config, createLogger({ level: 'warn', name: 'fetch', destination: process.stderr }));
  try {
    const catalogue = await listDatasets(core.db);
    if (catalogue.length === 0) fail('The catalogue is empty. Start the demo with npm start so the registry is loaded.', 69);
    const ids = args.all
      ? catalogue.map((d) => d.id)
      : (args.datasets ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
    if (ids.length === 0) fail(`Name the data sets with --datasets or use --all. Known: ${catalogue.map((d) => d.id).join(', ')}`);

    const display = args.json ? undefined : new ProgressDisplay(ids);
    if (display) process.stdout.write(`Fetching ${ids.length} data set(s) from their agencies…\n`);
    const outcomes = await core.broker.fetchAll({
      subject: subject.value,
      datasets: ids,
      consentId: `cli-${crypto.randomUUID()}`,
      purpose: 'Operator test fetch from the command line',
      ...(display ? { onProgress: (e) => display.update(e) } : {}),
    });

    process.stdout.write('\n');
    for (const outcome of outcomes) {
      if (args.json) {
        const { archive: _a, package: _p, ...rest } = outcome as typeof outcome & { archive?: unknown; package?: unknown };
        process.stdout.write(`${JSON.stringify(rest)}\n`);
      } else {
        process.stdout.write(`${describeOutcome(outcome)}\n`);
      }
      if (args.show && outcome.status === 'ok') {
        const data = JSON.parse(outcome.package.files.get('data.json')?.toString('utf8') ?? '{}') as PackageData;
        for (const record of data.records) process.stdout.write(`    ${JSON.stringify(record)}\n`);
      }
    }
    const failedCount = outcomes.filter((o) => o.status === 'failed').length;
    if (!args.json) {
      const ok = outcomes.filter((o) => o.status === 'ok').length;
      process.stdout.write(`\n${ok} verified, ${outcomes.filter((o) => o.status === 'no_data').length} without data, ${failedCount} failed.\n`);
    }
    process.exitCode = failedCount > 0 ? 1 : 0;
  } finally {
    await core.db.destroy();
  }
}

await main();
