// npm run verify-package -- FILE [--jwks URL_OR_FILE] [--password PW]
// Checks agency packages as anyone holding them can: FILE is one agency package.zip (e.g. extracted
// from a download) or a whole encrypted download, whose every package.zip is checked. Works offline
// with a JWKS file; reads nothing but FILE, index.json beside an extracted package, and --jwks.
// Exit codes: 0 every package verifies, 1 any package fails, 2 usage (missing file, wrong password, ...).
import { readFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { parseArgs } from 'node:util';
import { type KeyResolver, PACKAGE_PATHS, sha256Hex } from '@openmydata/protocol';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet } from 'jose';
import { checkAgencyPackage, type PackageCheck, sameBytes } from '../delivery/download/check-package.ts';
import { DOWNLOAD_PATHS, type DownloadIndex, parseEntryPath, SLUG } from '../delivery/download/download-index.ts';
import { DownloadError } from '../delivery/download/errors.ts';
import { looksLikeDownload, openDownload, parseDownloadIndex } from '../delivery/download/open-download.ts';
import { fail } from './fail.ts';

const USAGE = `Usage: npm run verify-package -- FILE [--jwks URL_OR_FILE] [--password PW]

  FILE        an agency package (package.zip), or a whole OpenMyData download (the encrypted ZIP),
              in which case every package.zip inside is checked
  --jwks      the agency's public keys: a JWKS URL (https://.../.well-known/jwks.json) or a JWKS
              JSON file. Without it, each agency's JWKS URL comes from the download's index.json
              (for an extracted package.zip: the index.json two folders up)
  --password  the download's password. Without it you are asked for it (hidden) in a terminal;
              a password typed on the command line may stay in your shell history

Each package passes when its META-INF/manifest.jws signature verifies with the agency's key and
every file matches its SHA-256 in META-INF/manifest.json.
Exit codes: 0 every package verifies, 1 any package fails, 2 usage error (missing file, wrong password).`;

interface Finding {
  ok: boolean;
  label: string;
  text: string;
}

interface Report {
  /** "agency/dataset" or the file name. */
  title: string;
  names?: { 'zh-TW': string; en: string } | undefined;
  agencyName?: string | undefined;
  keys?: string | undefined;
  check: PackageCheck;
  extra: Finding[];
}

function usage(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions() {
  return parseArgs({
    options: {
      jwks: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
}

/** Key resolvers by JWKS URL or file, so one fetch serves every package of an agency. */
class Keys {
  private readonly remote = new Map<string, KeyResolver>();

  forUrl(url: string): KeyResolver {
    let keys = this.remote.get(url);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(url), { timeoutDuration: 10_000 });
      this.remote.set(url, keys);
    }
    return keys;
  }

  async fromOption(value: string): Promise<{ keys: KeyResolver; source: string }> {
    if (/^https?:\/\//i.test(value)) {
      try {
        return { keys: this.forUrl(new URL(value).toString()), source: value };
      } catch {
        usage(`--jwks ${value} is not a valid URL.`);
      }
    }
    let text: string;
    try {
      text = await readFile(value, 'utf8');
    } catch {
      usage(`--jwks: no such file ${value} (give a JWKS URL starting with https:// or a JWKS JSON file).`);
    }
    try {
      const json = JSON.parse(text) as JSONWebKeySet | { kty?: unknown };
      const set = 'keys' in json ? json : ({ keys: [json] } as JSONWebKeySet);
      return { keys: createLocalJWKSet(set), source: value };
    } catch {
      usage(`--jwks: ${value} is not a JWKS (a JSON object with a "keys" array).`);
    }
  }
}

async function readPassword(given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  if (!process.stdin.isTTY) usage('This is an encrypted download: give its password with --password.');
  return promptHidden('Password 密碼: ');
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let typed = '';
    const onData = (chunk: string) => {
      for (const c of chunk) {
        if (c === '\r' || c === '\n' || c === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (c === '\u0003') {
          stdin.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (c === '\u007f' || c === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += c;
      }
    };
    stdin.on('data', onData);
  });
}

async function verifyDownload(
  bytes: Uint8Array,
  password: string,
  keysOption: { keys: KeyResolver; source: string } | undefined,
  keys: Keys,
): Promise<Report[]> {
  let opened: Awaited<ReturnType<typeof openDownload>>;
  try {
    opened = await openDownload(bytes, password);
  } catch (error) {
    if (!(error instanceof DownloadError)) throw error;
    if (error.code === 'wrong_password') fail('wrong password (密碼錯誤): the download could not be opened.');
    if (error.code === 'download_damaged') fail(`FAILED download_damaged: ${error.message}`, 1);
    fail(`${error.code}: ${error.message}`);
  }
  const { files, index } = opened;
  if (opened.indexProblem) process.stdout.write(`Note: ${opened.indexProblem}; agency keys must then come from --jwks.\n\n`);

  const packages = [...files.keys()].flatMap((path) => {
    const parts = parseEntryPath(path);
    return parts && parts.file === DOWNLOAD_PATHS.package ? [parts] : [];
  });
  const reports: Report[] = [];
  for (const { agency, dataset } of packages) {
    const folder = `${agency}/${dataset}/`;
    const archive = files.get(`${folder}${DOWNLOAD_PATHS.package}`) as Uint8Array;
    const listed = index?.datasets.find((d) => d.id === dataset && d.agency === agency);
    const resolved = keysOption ?? keysFromIndex(index, agency, keys);
    const report: Report = {
      title: `${agency}/${dataset}`,
      names: listed?.name,
      agencyName: agencyName(index, agency),
      keys: resolved?.source,
      check: resolved
        ? await checkAgencyPackage(archive, { keys: resolved.keys, expect: { agency, dataset } })
        : { ok: false, code: 'keys_unknown', message: `no JWKS URL for agency ${agency} in index.json: give the agency's keys with --jwks` },
      extra: [],
    };
    if (report.check.ok) {
      if (listed) report.extra.push(indexDigestFinding(archive, listed.package.sha256));
      for (const name of [PACKAGE_PATHS.data, PACKAGE_PATHS.pdf]) {
        report.extra.push(copyFinding(name, files.get(`${folder}${name}`), report.check.contents.get(name)));
      }
    }
    reports.push(report);
  }
  for (const listed of index?.datasets ?? []) {
    if (!files.has(listed.package.path)) {
      reports.push({
        title: `${listed.agency}/${listed.id}`,
        names: listed.name,
        check: { ok: false, code: 'package_missing', message: `index.json lists ${listed.package.path}, which the download lacks` },
        extra: [],
      });
    }
  }
  if (reports.length === 0) fail('The download holds no agency package (no <agency>/<data set>/package.zip).', 1);
  return reports;
}

async function verifyLoosePackage(file: string, bytes: Uint8Array, keysOption: { keys: KeyResolver; source: string } | undefined, keys: Keys): Promise<Report> {
  // An extracted download: <folder>/<agency>/<dataset>/package.zip with index.json at <folder>.
  const datasetDir = dirname(file);
  const dataset = basename(datasetDir);
  const agency = basename(dirname(datasetDir));
  const inFolders = SLUG.test(agency) && SLUG.test(dataset);
  const index = inFolders ? await readIndexBeside(join(datasetDir, '..', '..', DOWNLOAD_PATHS.index)) : undefined;
  const listed = index?.datasets.find((d) => d.id === dataset && d.agency === agency);
  const resolved = keysOption ?? (listed ? keysFromIndex(index, agency, keys) : undefined);
  if (!resolved) {
    usage(`Give the agency's public keys with --jwks URL_OR_FILE: no index.json of a download was found two folders above ${file}.`);
  }
  const check = await checkAgencyPackage(bytes, { keys: resolved.keys, ...(listed ? { expect: { agency, dataset } } : {}) });
  const report: Report = {
    title: listed ? `${agency}/${dataset}` : file,
    names: listed?.name,
    agencyName: listed ? agencyName(index, agency) : undefined,
    keys: resolved.source,
    check,
    extra: [],
  };
  if (check.ok) {
    if (listed) report.extra.push(indexDigestFinding(bytes, listed.package.sha256));
    for (const name of [PACKAGE_PATHS.data, PACKAGE_PATHS.pdf]) {
      const beside = await readFile(join(datasetDir, name)).catch(() => undefined);
      if (beside) report.extra.push(copyFinding(name, beside, check.contents.get(name)));
    }
  }
  return report;
}

async function readIndexBeside(path: string): Promise<DownloadIndex | undefined> {
  try {
    return parseDownloadIndex(JSON.parse(await readFile(path, 'utf8'))).index;
  } catch {
    return undefined;
  }
}

function keysFromIndex(index: DownloadIndex | undefined, agency: string, keys: Keys): { keys: KeyResolver; source: string } | undefined {
  const url = index?.agencies.find((a) => a.id === agency)?.jwks_url;
  return url ? { keys: keys.forUrl(url), source: `${url} (from index.json)` } : undefined;
}

function agencyName(index: DownloadIndex | undefined, agency: string): string | undefined {
  const name = index?.agencies.find((a) => a.id === agency)?.name;
  return name ? `${name['zh-TW']} / ${name.en}` : undefined;
}

function indexDigestFinding(archive: Uint8Array, listed: string): Finding {
  const ok = sha256Hex(archive) === listed;
  return ok
    ? { ok, label: 'index', text: 'package.zip matches its SHA-256 in index.json' }
    : { ok, label: 'index', text: 'index_mismatch: package.zip differs from the SHA-256 listed in index.json' };
}

function copyFinding(name: string, copy: Uint8Array | undefined, signed: Uint8Array | undefined): Finding {
  if (!copy) return { ok: false, label: 'copy', text: `copy_missing: no ${name} beside package.zip` };
  if (!signed || !sameBytes(copy, signed)) return { ok: false, label: 'copy', text: `copy_mismatch: ${name} beside package.zip differs from the signed one` };
  return { ok: true, label: 'copy', text: `${name} beside package.zip is identical to the signed one` };
}

function passed(report: Report): boolean {
  return report.check.ok && report.extra.every((f) => f.ok);
}

function print(report: Report): void {
  const line = (label: string, text: string) => process.stdout.write(`  ${label.padEnd(10)} ${text}\n`);
  const names = report.names ? `  ${report.names['zh-TW']} / ${report.names.en}` : '';
  process.stdout.write(`${report.title}${names}\n`);
  const check = report.check;
  if (check.ok) line('agency', report.agencyName ? `${check.agency}  ${report.agencyName}` : check.agency);
  if (check.ok) line('data set', check.dataset);
  if (report.keys) line('keys', report.keys);
  if (check.ok) {
    line('signature', `OK  ES256, signed by kid ${check.kid} at ${check.signedAt}`);
    for (const f of check.files) line(f.path, `OK  sha256 ${f.sha256} (${f.size} bytes)`);
  }
  for (const finding of report.extra) line(finding.label, `${finding.ok ? 'OK ' : 'FAILED'} ${finding.text}`);
  if (!check.ok) line('result', `FAILED  ${check.code}: ${check.message}`);
  if (!check.ok && check.code === 'package_unknown_key') {
    line('hint', 'the agency may have retired this key since; check with a JWKS saved when the package was made (--jwks FILE)');
  } else line('result', passed(report) ? 'VERIFIED' : 'FAILED  the signed package verifies, but see above');
  process.stdout.write('\n');
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions();
  } catch (error) {
    usage((error as Error).message);
  }
  const { values: args, positionals } = parsed;
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1) usage(positionals.length === 0 ? 'Name the file to verify.' : 'Name one file to verify.');
  const file = positionals[0] as string;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    fail(
      code === 'ENOENT'
        ? `No such file: ${file}`
        : code === 'EISDIR'
          ? `${file} is a folder; name a package.zip or a download .zip`
          : `Cannot read ${file} (${code ?? 'error'})`,
    );
  }

  const keys = new Keys();
  const keysOption = args.jwks !== undefined ? await keys.fromOption(args.jwks) : undefined;
  let reports: Report[];
  if (await looksLikeDownload(bytes)) {
    const password = await readPassword(args.password);
    reports = await verifyDownload(bytes, password, keysOption, keys);
  } else {
    reports = [await verifyLoosePackage(file, bytes, keysOption, keys)];
  }

  for (const report of reports) print(report);
  const failed = reports.filter((r) => !passed(r)).length;
  process.stdout.write(
    failed === 0
      ? `All ${reports.length} package(s) verified. 全部 ${reports.length} 個資料包驗證成功。\n`
      : `${failed} of ${reports.length} package(s) FAILED verification. ${reports.length} 個資料包中有 ${failed} 個驗證失敗。\n`,
  );
  process.exit(failed === 0 ? 0 : 1);
}

await main();
