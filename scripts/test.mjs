#!/usr/bin/env node
// npm test [-- filter-or-file ...]: runs every *.test.ts with node:test through tsx, each file in a
// process group of its own, two at a time. Nothing waits for ever: each test and hook has a time
// limit (--test-timeout, on Node 22 and later: Node 20 applies that flag to whole files, so there
// the file deadline alone bounds them), each file a deadline, and the whole run a deadline;
// whatever is still running at a deadline is named, its output so far printed, and killed, and
// the run fails. An argument naming an existing file runs that file even when it is
// not a *.test.ts (the runner's own tests use this); any other argument filters paths.
//
// Environment: OMD_TEST_TIMEOUT_SECONDS (per test, default 120), OMD_TEST_FILE_DEADLINE_SECONDS
// (per file, default 600), OMD_TEST_DEADLINE_SECONDS (whole run, default 2400),
// OMD_TEST_CONCURRENCY (default 2).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const roots = ['packages', 'demo', 'bench', 'scripts'];
const skip = new Set(['node_modules', 'var', '.git', 'dist', 'coverage']);

/** Files that legitimately take longer per test than the default: real browsers, whole demos. */
const SLOW_FILES = new Map([
  ['demo/test/portal-journey.test.ts', 300],
  ['demo/test/start.test.ts', 300],
  ['scripts/test/distribution.test.ts', 300],
  ['packages/hub/test/retrieval/processes.test.ts', 300],
  ['packages/hub/test/odd-path.test.ts', 300],
]);

function seconds(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number of seconds; got ${raw}`);
    process.exit(2);
  }
  return value;
}

const testTimeout = seconds('OMD_TEST_TIMEOUT_SECONDS', 120);
const fileDeadline = seconds('OMD_TEST_FILE_DEADLINE_SECONDS', 600);
const runDeadline = seconds('OMD_TEST_DEADLINE_SECONDS', 2400);
const concurrency = Math.max(1, Math.floor(seconds('OMD_TEST_CONCURRENCY', 2)));
const perTestLimits = Number(process.versions.node.split('.')[0]) >= 22;

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const args = process.argv.slice(2);
const explicit = args.filter((a) => existsSync(join(root, a)) && statSync(join(root, a)).isFile()).map((a) => relative(root, join(root, a)));
const filters = args.filter((a) => !explicit.includes(relative(root, join(root, a))));
const discovered = filters.length === 0 && explicit.length > 0 ? [] : roots.flatMap((r) => walk(join(root, r), []));
const files = [...new Set([...explicit, ...discovered.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))])].sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const started = Date.now();
const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
console.log(
  `running ${files.length} test files on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, Node ${process.version}` +
    `${process.env.OMD_IGNORE_SYSTEM_TOOLS === '1' ? ', system tools hidden' : ''}; ` +
    `limits: ${perTestLimits ? `${testTimeout} s per test, ` : ''}${fileDeadline} s per file, ${runDeadline} s in all`,
);

const totals = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
const failedFiles = [];
const running = new Map(); // file -> { child, output, since }

/** Adds the counts of node:test's closing summary ("ℹ pass 12") to the totals. */
function count(output) {
  for (const key of Object.keys(totals)) {
    const match = new RegExp(`^ℹ ${key} (\\d+)$`, 'm').exec(output);
    if (match) totals[key] += Number(match[1]);
  }
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// Set inside a test process; a `node --test` that sees it skips its files (the runner's own tests run this script).
const childEnv = { ...process.env, NODE_ENV: 'test' };
delete childEnv.NODE_TEST_CONTEXT;

function runFile(file) {
  return new Promise((resolve) => {
    const perTest = SLOW_FILES.get(file) ?? testTimeout;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', ...(perTestLimits ? [`--test-timeout=${Math.round(perTest * 1000)}`] : []), file],
      // A process group of its own, so a deadline kills the servers and browsers the file started too.
      { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const entry = { child, output: '', since: Date.now(), timedOut: false };
    running.set(file, entry);
    child.stdout.on('data', (chunk) => {
      entry.output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      entry.output += chunk;
    });
    const deadline = setTimeout(() => {
      entry.timedOut = true;
      killGroup(child);
    }, fileDeadline * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      running.delete(file);
      const ok = code === 0 && !entry.timedOut;
      count(entry.output);
      if (!ok) failedFiles.push(file);
      const why = entry.timedOut ? `killed: still running after the file deadline of ${fileDeadline} s` : signal ? `killed by ${signal}` : `exit ${code}`;
      console.log(`\n── ${ok ? '✔' : '✖'} ${file} (${elapsed(entry.since)}${ok ? '' : `, ${why}`})`);
      process.stdout.write(entry.output);
      // A file killed before its summary counts as one failure, so the closing line never reads clean.
      if (!ok && !/^ℹ fail \d+$/m.test(entry.output)) totals.fail += 1;
      resolve();
    });
  });
}

function stopAll(reason, exitCode) {
  console.log(`\n✖ ${reason}`);
  for (const [file, entry] of running) {
    console.log(`\n── still running: ${file} (for ${elapsed(entry.since)}); its output so far:`);
    process.stdout.write(entry.output || '(none)\n');
    killGroup(entry.child);
  }
  process.exit(exitCode);
}

const runTimer = setTimeout(() => stopAll(`the whole run passed its deadline of ${runDeadline} s`, 1), runDeadline * 1000);
process.on('SIGINT', () => stopAll('interrupted', 130));
process.on('SIGTERM', () => stopAll('terminated', 143));

const queue = [...files];
await Promise.all(
  Array.from({ length: Math.min(concurrency, files.length) }, async () => {
    while (queue.length > 0) await runFile(queue.shift());
  }),
);
clearTimeout(runTimer);

console.log(`\n${files.length - failedFiles.length} of ${files.length} test files passed in ${elapsed(started)}`);
for (const file of failedFiles) console.log(`  ✖ ${file}`);
console.log(
  `${totals.pass} passed, ${totals.fail + totals.cancelled} failed${totals.skipped + totals.todo > 0 ? `, ${totals.skipped + totals.todo} skipped` : ''}`,
);
process.exit(failedFiles.length === 0 ? 0 : 1);
