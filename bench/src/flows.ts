// npm run bench -- flows [--kind download|online|counter] [--levels 1,10,50,200] [--flows 200]
//                        [--level-seconds 180] [--warmup 5] [--datasets a,b,c] [--request-timeout 60]
//                        [--profile] [--out FILE]
//                        [--quick]  (a short run: levels 1,10, 20 flows each, 60 s at most, 2 warm-up flows;
//                                    any of those given explicitly still wins)
// npm run bench -- online | counter [flags as above]: the same with that kind (levels 1,10,50 by default).
// Complete flows over HTTP against a demo stack the bench starts itself on 127.0.0.1 (the hub, the
// demo agencies and the mock mobile ID as their own processes; SQLite, or PostgreSQL when
// DATABASE_URL is set), at each concurrency level, bounded by count and by a time limit per level.
// Prints each figure beside its target from issue 12 and writes bench/results/flows.json (another
// kind: flows-KIND.json).
// --profile runs the hub and the agencies with --cpu-prof (under var/bench/profiles/) and prints
// where their time went during the measured levels.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProfile, type ProfileSummary, profilesIn, summariseProfile } from './flows/cpu-profile.ts';
import { startDemoStack } from './flows/demo-stack.ts';
import type { FlowKind } from './flows/flow-kind.ts';
import { type LevelResult, runLevel, settle } from './flows/load-levels.ts';
import { loadAverage } from './flows/proc-stats.ts';

// The registration point for kinds of flow. A kind is a module exporting a FlowKind (see
// flows/flow-kind.ts): prepare(stack) answers one function doing one complete flow. To add one,
// write it and add a line here. Everything else (stack, levels, measuring, report, profiles) is the
// same for every kind.
const FLOW_KINDS: Record<string, () => Promise<FlowKind>> = {
  download: () => import('./flows/download-flow.ts').then((m) => m.downloadKind),
  online: () => import('./flows/online-kind.ts').then((m) => m.onlineKind),
  counter: () => import('./flows/counter-kind.ts').then((m) => m.counterKind()),
};

const root = join(import.meta.dirname, '../..');

/** Issue 12's targets; a figure is judged at the level named, where that level ran. */
const TARGETS = {
  failedAt: [50, 200],
  p95At50Ms: 3000,
  hubCpuPerFlowMs: 20,
  agencyCpuPerPackageMs: 10,
  flowsPerSecond: 30,
  hubPeakRssAt200MiB: 200,
};

interface Target {
  figure: string;
  target: string;
  measured: string;
  pass: boolean | undefined;
}

const integerList = (text: string, flag: string) =>
  text.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected whole numbers separated by commas, got ${text}`);
    return n;
  });

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag}: expected a positive number, got ${text}`);
  return n;
}

const ms = (value: number | undefined) => (value === undefined ? '—' : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);
const num = (value: number | undefined, digits = 1) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));

function judge(levels: LevelResult[]): Target[] {
  const at = (c: number) => levels.find((l) => l.concurrency === c);
  const notRun = (c: number) => `not measured (level ${c} not run)`;
  const targets: Target[] = [];
  for (const c of TARGETS.failedAt) {
    const level = at(c);
    const bad = level ? level.failed + level.cutOff : undefined;
    targets.push({
      figure: `failed flows at ${c} concurrent`,
      target: '0',
      measured: level
        ? `${bad} of ${level.planned}${level.cutOff > 0 ? ` (${level.cutOff} cut off at the time limit)` : ''}${level.notStarted > 0 ? `, ${level.notStarted} not started` : ''}`
        : notRun(c),
      pass: level ? bad === 0 && level.notStarted === 0 : undefined,
    });
  }
  const fifty = at(50);
  targets.push({
    figure: 'p95 flow latency at 50 concurrent',
    target: `< ${ms(TARGETS.p95At50Ms)}`,
    measured: fifty ? ms(fifty.latencyMs?.p95) : notRun(50),
    pass: fifty?.latencyMs ? fifty.latencyMs.p95 < TARGETS.p95At50Ms : undefined,
  });
  // CPU per flow and per package: levels together (total CPU over total flows), so no level's small
  // count decides it; each level's own figure is in the table above. Only levels where every flow
  // completed count: a failed flow stops early and costs the hub less, and packages the hub gave
  // up on cost the agencies CPU without being counted, so failures would skew both figures.
  const clean = levels.filter((l) => l.ok > 0 && l.failed === 0 && l.cutOff === 0);
  const counted = clean.length > 0 ? clean : levels;
  const which =
    clean.length === levels.length
      ? 'all levels'
      : clean.length > 0
        ? `levels ${clean.map((l) => l.concurrency).join(', ')}, without failures`
        : 'all levels, with failures';
  const ended = counted.reduce((n, l) => n + l.ok + l.failed, 0);
  const hubPerFlow = ended > 0 ? counted.reduce((n, l) => n + l.cpu.hubMs, 0) / ended : undefined;
  const packages = counted.reduce((n, l) => n + l.packages, 0);
  const agencyPerPackage = packages > 0 ? counted.reduce((n, l) => n + l.cpu.agenciesMs, 0) / packages : undefined;
  targets.push({
    figure: `hub CPU per flow (${which})`,
    target: `<= ${TARGETS.hubCpuPerFlowMs} ms`,
    measured: `${num(hubPerFlow)} ms`,
    pass: hubPerFlow === undefined ? undefined : hubPerFlow <= TARGETS.hubCpuPerFlowMs,
  });
  targets.push({
    figure: `agency CPU per agency package (${which})`,
    target: `<= ${TARGETS.agencyCpuPerPackageMs} ms`,
    measured: `${num(agencyPerPackage)} ms`,
    pass: agencyPerPackage === undefined ? undefined : agencyPerPackage <= TARGETS.agencyCpuPerPackageMs,
  });
  const best = levels.reduce<LevelResult | undefined>((b, l) => (!b || l.flowsPerSecond > b.flowsPerSecond ? l : b), undefined);
  targets.push({
    figure: 'complete flows per second (best level)',
    target: `>= ${TARGETS.flowsPerSecond}`,
    measured: best ? `${num(best.flowsPerSecond)} (at ${best.concurrency})` : '—',
    pass: best ? best.flowsPerSecond >= TARGETS.flowsPerSecond : undefined,
  });
  const top = at(200);
  targets.push({
    figure: 'hub peak RSS at 200 concurrent',
    target: `<= ${TARGETS.hubPeakRssAt200MiB} MiB`,
    measured: top ? `${top.memory.hubPeakRssMiB.toFixed(0)} MiB` : notRun(200),
    pass: top ? top.memory.hubPeakRssMiB <= TARGETS.hubPeakRssAt200MiB : undefined,
  });
  return targets;
}

function table(rows: string[][], alignLeft = 1): string {
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => `  ${r.map((cell, i) => (i < alignLeft ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ')}`)
    .join('\n');
}

function levelTable(levels: LevelResult[]): string {
  const rows = [
    ['concurrency', 'flows', 'ok', 'failed', 'cut off', 'flows/s', 'p50', 'p95', 'p99', 'hub CPU/flow', 'agency CPU/pkg', 'hub RSS peak', 'other load'],
    ...levels.map((l) => [
      String(l.concurrency),
      String(l.planned),
      String(l.ok),
      String(l.failed),
      String(l.cutOff + l.notStarted),
      num(l.flowsPerSecond),
      ms(l.latencyMs?.p50),
      ms(l.latencyMs?.p95),
      ms(l.latencyMs?.p99),
      `${num(l.cpu.hubMsPerFlow)} ms`,
      `${num(l.cpu.agencyMsPerPackage)} ms`,
      `${l.memory.hubPeakRssMiB.toFixed(0)} MiB`,
      `${num(l.cpu.otherCores, 2)} cores`,
    ]),
  ];
  return table(rows);
}

function stepTable(levels: LevelResult[]): string {
  const steps = [...new Set(levels.flatMap((l) => Object.keys(l.steps)))];
  const rows = [
    ['request (p50 / p95)', ...levels.map((l) => `at ${l.concurrency}`)],
    ...steps.map((step) => [step, ...levels.map((l) => (l.steps[step] ? `${ms(l.steps[step].p50)} / ${ms(l.steps[step].p95)}` : '—'))]),
  ];
  return table(rows);
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

export async function run(args = process.argv.slice(3)): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      kind: { type: 'string', default: 'download' },
      levels: { type: 'string' },
      flows: { type: 'string' },
      'level-seconds': { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean', default: false },
      datasets: { type: 'string' },
      'request-timeout': { type: 'string', default: '60' },
      profile: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    strict: true,
  });
  const kindName = values.kind as string;
  // Issue 12 asks for download flows up to 200 at once; issues 10 and 11 for the others at 1, 10 and 50.
  const defaults = values.quick
    ? { levels: '1,10', flows: '20', 'level-seconds': '60', warmup: '2' }
    : { levels: kindName === 'download' ? '1,10,50,200' : '1,10,50', flows: '200', 'level-seconds': '180', warmup: '5' };
  for (const key of Object.keys(defaults) as Array<keyof typeof defaults>) values[key] ??= defaults[key];
  const loadKind = FLOW_KINDS[kindName];
  if (!loadKind) throw new Error(`--kind: one of ${Object.keys(FLOW_KINDS).join(', ')}; got ${kindName}`);
  const levels = integerList(values.levels as string, '--levels');
  const flows = integerList(values.flows as string, '--flows')[0] as number;
  const levelSeconds = positive(values['level-seconds'] as string, '--level-seconds');
  const requestTimeoutMs = positive(values['request-timeout'] as string, '--request-timeout') * 1000;
  const warmup = Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup: a whole number, got ${values.warmup}`);
  const datasets = values.datasets?.split(',').map((d) => d.trim());
  const out = values.out ?? join(root, 'bench/results', kindName === 'download' ? 'flows.json' : `flows-${kindName}.json`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const profileDir = values.profile ? join(root, 'var/bench/profiles', stamp) : undefined;
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const startedAt = new Date();
  const loadAtStart = loadAverage();
  const kind = await loadKind();
  const kindEnv = kind.hubEnv ? await kind.hubEnv() : {};
  const stack = await startDemoStack({ log, hubEnv: kindEnv, ...(profileDir ? { profileDir } : {}) });
  const results: LevelResult[] = [];
  let window: { fromUs: number; toUs: number } | undefined;
  let description = '';
  try {
    const prepared = await kind.prepare(stack, { concurrency: Math.max(...levels), ...(datasets ? { datasets } : {}) });
    description = prepared.description;
    try {
      log(`flows: ${description}`);
      if (warmup > 0) {
        log(`warming up: ${warmup} flows one at a time…`);
        const result = await runLevel(stack, prepared.flow, { concurrency: 1, flows: warmup, seconds: levelSeconds, requestTimeoutMs });
        if (result.ok === 0) throw new Error(`every warm-up flow failed: ${JSON.stringify(result.errors)}`);
        if (result.failed > 0) log(`  warm-up errors: ${JSON.stringify(result.errors)}`);
        await settle(stack);
      }
      window = { fromUs: Number(process.hrtime.bigint() / 1000n), toUs: 0 };
      for (const concurrency of levels) {
        log(`level ${concurrency}: up to ${flows} flows, at most ${levelSeconds} s…`);
        const result = await runLevel(stack, prepared.flow, { concurrency, flows, seconds: levelSeconds, requestTimeoutMs });
        results.push(result);
        log(
          `  ${result.ok} ok, ${result.failed} failed, ${result.cutOff + result.notStarted} cut off; ${num(result.flowsPerSecond)} flows/s, p95 ${ms(result.latencyMs?.p95)}`,
        );
        if (stack.hub.child.exitCode !== null || stack.agencies.child.exitCode !== null) throw new Error('a stack process died during the level; see above');
        window.toUs = Number(process.hrtime.bigint() / 1000n);
        await settle(stack);
      }
    } finally {
      await prepared.close?.();
    }
  } finally {
    log('stopping the demo stack…');
    await stack.stop();
  }

  const profiles: Record<string, ProfileSummary> = {};
  if (profileDir) {
    for (const name of ['hub', 'agencies'] as const) {
      // One file per thread; the main thread is the one that was busy (tsx's loader thread idles).
      const busiest = profilesIn(join(profileDir, name))
        .map((file) => summariseProfile(file, window))
        .sort((a, b) => b.busyMs - a.busyMs)[0];
      if (busiest) profiles[name] = busiest;
      else log(`no CPU profile was written for the ${name} process`);
    }
  }

  // Issue 12's targets are for download flows; other kinds are held to its one general target, no failed flow.
  const targets = judge(results).filter((t) => kindName === 'download' || t.figure.startsWith('failed flows'));
  const machine = {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverageAtStart: loadAtStart,
  };
  const report = {
    format: 'openmydata-bench-flows/1',
    kind: kindName,
    description,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: gitCommit(),
    machine,
    stack: { engine: stack.engine, processes: ['hub', 'agencies', 'idp'], cardReader: 'in the bench (one card per flow)' },
    options: { levels, flows, levelSeconds, warmup, requestTimeoutSeconds: requestTimeoutMs / 1000, datasets: datasets ?? null, profile: Boolean(profileDir) },
    levels: results,
    targets,
    profiles: profileDir ? { dir: relative(root, profileDir), ...profiles } : null,
  };
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

  const w = (text = '') => process.stdout.write(`${text}\n`);
  w();
  w(`flows (${kindName}): ${description}`);
  w(
    `stack: hub, agencies and mock mobile ID as processes on ${stack.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'}; ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, load average ${loadAtStart.toFixed(1)} at start`,
  );
  w();
  w(levelTable(results));
  w();
  w('  (hub CPU/flow: hub CPU during the level over flows that ended; agency CPU/pkg: the agencies process over packages served;');
  w('   other load: CPU the rest of the machine used meanwhile, outside this stack and the bench client)');
  w();
  w(stepTable(results));
  const errorLines = results.flatMap((l) => Object.entries(l.errors).map(([reason, count]) => `  at ${l.concurrency}: ${count} × ${reason}`));
  if (errorLines.length > 0) {
    w();
    w('errors by reason:');
    for (const line of errorLines) w(line);
  }
  w();
  w(
    table(
      [['figure', 'measured', 'target', ''], ...targets.map((t) => [t.figure, t.measured, t.target, t.pass === undefined ? '' : t.pass ? 'PASS' : 'FAIL'])],
      1,
    ),
  );
  for (const [name, summary] of Object.entries(profiles)) {
    w();
    w(formatProfile(`CPU profile of the ${name} process`, summary));
  }
  if (profileDir) w(`\nprofiles: ${relative(root, profileDir)} (open a .cpuprofile in Chrome DevTools or speedscope for the call trees)`);
  w(`\nwritten: ${relative(root, out)}`);
  w();
  process.exitCode = targets.every((t) => t.pass !== false) ? 0 : 1;
}

/** npm run bench -- online|counter: the harness with that kind (any other flag as for flows). */
export function runKind(kind: string): Promise<void> {
  return run([...process.argv.slice(3), '--kind', kind]);
}
