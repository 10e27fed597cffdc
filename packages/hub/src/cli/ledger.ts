// npm run ledger -- verify            audit the whole ledger in the hub's database
// npm run ledger -- verify-proof FILE one exported history entry, checked offline
// Exit codes: 0 all good, 1 the ledger or the proof does not verify, 2 usage, 65 bad file content,
// 66 file or database not found, 78 bad configuration.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { checkHistoryEntry, entriesOfProofFile, proofFileSchema } from '../ledger/verify-history-entry.ts';
import { type LogReport, verifyLog } from '../ledger/verify-log.ts';
import { openDatabase } from '../store/database.ts';
import { fail } from './fail.ts';

const USAGE = `Usage: npm run ledger -- <command>

  verify [--json]
      Recompute the ledger's Merkle tree from the stored entries, compare every stored subtree
      hash, and check every signed tree head's root and signature. Names any tampered entry.
  verify-proof FILE [--keys JWKS_FILE] [--json]
      Check one exported history entry (or a JSON export of several) offline: its leaf bytes,
      leaf hash, tree-head signature and inclusion proof. --keys: trust only the keys in this JWKS
      file (e.g. saved from GET /api/v1/ledger/key) instead of the key inside FILE.

Environment (verify): the hub's own, DATA_DIR or DATABASE_URL.`;

const number = (n: number) => n.toLocaleString('en-US');

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 78);
    throw error;
  }
}

async function verify(json: boolean): Promise<number> {
  const config = configOrExit();
  let where: string;
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    where = `PostgreSQL ${url.host}${url.pathname}`;
  } else {
    const file = join(config.dataDir, 'hub.sqlite');
    if (!existsSync(file)) fail(`No hub database at ${file}. Set DATA_DIR (or DATABASE_URL) to the hub's.`, 66);
    where = `SQLite ${file}`;
  }
  const { db } = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  let report: LogReport;
  try {
    report = await verifyLog(db);
  } catch (error) {
    if (/ledger_entries|ledger_nodes|ledger_tree_heads/.test(String(error)))
      fail(`The database at ${where} has no ledger yet: start the hub once to create it.`, 66);
    throw error;
  } finally {
    await db.destroy();
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.problems.length > 0 ? 1 : 0;
  }
  const out: string[] = [`Ledger verification: ${where}`];
  out.push(`  entries            ${number(report.entries)}${report.retained > 0 ? ` (${number(report.retained)} with content removed by retention)` : ''}`);
  out.push(`  subtree hashes     ${number(report.subtreesChecked)} recomputed and compared`);
  out.push(
    `  signed tree heads  ${number(report.treeHeadsChecked)} checked${report.latestTreeSize === undefined ? ' (none signed yet)' : ` (the latest covers ${number(report.latestTreeSize)} entries)`}`,
  );
  out.push('');
  if (report.problems.length === 0) {
    out.push('OK: every entry, stored subtree hash and signed tree head checks out.');
  } else {
    const total = report.problems.length + report.problemsNotListed;
    out.push(`TAMPERED: ${number(total)} problem(s) found.`);
    for (const problem of report.problems) out.push(`  - ${problem.message}`);
    if (report.problemsNotListed > 0) out.push(`  - … and ${number(report.problemsNotListed)} more`);
    if (report.firstTamperedIndex !== undefined) out.push(`First tampered entry: ${report.firstTamperedIndex}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return report.problems.length > 0 ? 1 : 0;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? `${what} ${file} does not exist.` : `Cannot read ${what} ${file} (${code ?? 'error'}).`, 66);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    fail(`${what} ${file} is not JSON.`, 65);
  }
}

async function verifyProof(file: string, keysFile: string | undefined, json: boolean): Promise<number> {
  const parsed = proofFileSchema.safeParse(readJson(file, 'The proof file'));
  if (!parsed.success) {
    fail(`${file} is not an exported ledger entry: expected index, leaf, leaf_hash, audit_path, tree_head and key (as GET /api/v1/me/history gives them).`, 65);
  }
  let trusted: JWK[] | undefined;
  if (keysFile) {
    const jwks = readJson(keysFile, 'The key file') as { keys?: unknown };
    if (!Array.isArray(jwks.keys)) fail(`${keysFile} is not a JWKS ({"keys": [...]}).`, 65);
    trusted = jwks.keys as JWK[];
  }
  const results = [];
  for (const item of entriesOfProofFile(parsed.data)) results.push({ index: item.index, checks: await checkHistoryEntry(item, trusted) });
  const ok = results.every((r) => r.checks.every((c) => c.ok));
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok, entries: results }, null, 2)}\n`);
  } else {
    const out: string[] = [];
    for (const r of results) {
      out.push(`Entry ${r.index}:`);
      for (const c of r.checks) out.push(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
    }
    if (!trusted) out.push('', 'The tree head key came from the file itself; compare it with GET /api/v1/ledger/key (or pass --keys).');
    out.push('', ok ? 'OK: the entry is in the signed ledger.' : 'NOT VERIFIED: see the failed checks above.');
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return ok ? 0 : 1;
}

function commandLine() {
  try {
    return parseArgs({
      options: { json: { type: 'boolean', default: false }, keys: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = commandLine();
  const [command, ...rest] = positionals;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === 'verify') {
    if (rest.length > 0 || values.keys) fail(`verify takes no file or --keys.\n\n${USAGE}`, 2);
    process.exitCode = await verify(values.json);
  } else if (command === 'verify-proof') {
    if (rest.length !== 1) fail(`verify-proof takes exactly one FILE.\n\n${USAGE}`, 2);
    process.exitCode = await verifyProof(rest[0] as string, values.keys, values.json);
  } else {
    fail(`${command ? `Unknown command "${command}".` : 'Name a command.'}\n\n${USAGE}`, 2);
  }
}

await main();
