// npm run fetch -- --operator NAME --reason TEXT --subject A123456789 --datasets household-personal,income
// An operator's tool that reads a person's records from the running agencies (a support case, a
// check after an agency changed): it goes the one retrieval path, under an authorisation naming the
// operator and the reason, and the person sees "operator X fetched Y for reason Z" in their history.
// Records are shown on this terminal only with --show; nothing is written to disk.
import { parseArgs } from 'node:util';
import { checkPersonIdentifier, type PackageData } from '@openmydata/protocol';
import type { DatasetOutcome } from '../broker/outcome.ts';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { openHubCore } from '../hub.ts';
import { looksLikePersonId } from '../ledger/entry.ts';
import { createLogger } from '../log.ts';
import { fail } from './fail.ts';
import { describeOutcome, ProgressDisplay } from './progress.ts';

const USAGE = `Usage: npm run fetch -- --operator <name> --reason <text> --subject <national ID> (--datasets <id,id,...> | --all) [--show] [--json]

  --operator   who is fetching (required; letters, digits, . _ : -), e.g. ops.chen
  --reason     why (required; the person reads it in their history), e.g. "support case 2026-118"
  --subject    national ID or resident certificate number of a synthetic citizen (e.g. A123456789)
  --datasets   comma-separated data set ids (see GET /api/v1/datasets)
  --all        every data set in the catalogue
  --show       print the records of verified agency packages to this terminal (never to disk)
  --json       print outcomes as JSON lines instead of text
Every fetch is written to the ledger with the operator's name and reason.
Environment: the hub's own (DATA_DIR, DATABASE_URL, HUB_PORT); start the demo first with npm start.`;

const OPERATOR = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

function parseOptions() {
  return parseArgs({
    options: {
      operator: { type: 'string' },
      reason: { type: 'string' },
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
  if (!args.operator || !args.reason) {
    fail(
      `Reading a person's records needs --operator (who) and --reason (why); both go to the person's history.\n讀取民眾資料須以 --operator 註明操作人員、以 --reason 註明原因，兩者都會記錄於當事人的使用紀錄。\n\n${USAGE}`,
    );
  }
  if (!OPERATOR.test(args.operator)) fail('--operator: letters, digits and . _ : - only, at most 64 characters (e.g. ops.chen).');
  const reason = args.reason.trim();
  if (reason.length < 3 || reason.length > 500 || /\p{Cc}/u.test(reason)) fail('--reason: 3 to 500 characters on one line.');
  if (looksLikePersonId(reason) || /[^\s@]+@[^\s@]+\.[^\s@]+/.test(reason))
    fail('--reason: must not hold a national ID or an e-mail address; it is shown in the history.');
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
    const catalogue = await core.catalogue.datasets();
    if (catalogue.length === 0) fail('The catalogue is empty. Start the demo with npm start so the registry is loaded.', 69);
    const ids = args.all
      ? catalogue.map((d) => d.id)
      : (args.datasets ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
    if (ids.length === 0) fail(`Name the data sets with --datasets or use --all. Known: ${catalogue.map((d) => d.id).join(', ')}`);
    const unknown = ids.filter((id) => !catalogue.some((d) => d.id === id));
    if (unknown.length > 0) fail(`Unknown data set(s): ${unknown.join(', ')}. Known: ${catalogue.map((d) => d.id).join(', ')}`);

    const display = args.json ? undefined : new ProgressDisplay(ids);
    if (display) process.stdout.write(`Fetching ${ids.length} data set(s) from their agencies as ${args.operator} (recorded in the person's history)…\n`);
    const consent = await core.retrievals.authorizeOperator({ operator: args.operator, reason, subjectKey: core.subjectKey(subject.value), datasets: ids });
    let outcomes: readonly DatasetOutcome[] = [];
    const { done } = await core.retrievals.retrieve({
      consentId: consent.id,
      nationalId: subject.value,
      // The operator's terminal is the delivery: outcomes are printed below, nothing is stored.
      delivery: {
        recipient: 'operator',
        async accept(input) {
          outcomes = input.outcomes;
          return input.packages.length > 0 ? { reference: 'terminal', entries: [] } : undefined;
        },
      },
      ...(display ? { onProgress: (e) => display.update(e) } : {}),
    });
    await done;

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
    process.exitCode = failedCount > 0 || outcomes.length === 0 ? 1 : 0;
  } finally {
    await core.closeCore();
  }
}

await main();
