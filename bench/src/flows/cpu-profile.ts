// Where a process's time went, from the .cpuprofile Node writes with --cpu-prof: self time per
// function (name, file and line), and per package, counting only samples taken inside a time window
// (the measured levels, not start-up). Sample times are V8's monotonic clock in microseconds, the
// same clock as process.hrtime in any process on the machine, so the bench's own clock marks the window.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Busy time in the window: every sample but (idle). */
  busyMs: number;
  idleMs: number;
  /** False when the profile's clock did not overlap the window and the whole profile was used. */
  windowed: boolean;
  functions: ProfileLine[];
  /** Self time by the package of the function itself. */
  packages: ProfileLine[];
  /** Self time by package, with Node core and native frames charged to the nearest caller in a package (who asked for the work). */
  callers: ProfileLine[];
}

const root = join(import.meta.dirname, '../../..');

/** A short place for a script URL: a package name for dependencies, a repository path for ours. */
export function placeOf(url: string): { file: string; pkg: string } {
  if (url === '') return { file: '(native)', pkg: '(native / V8)' };
  if (url.startsWith('node:')) return { file: url, pkg: 'node: (Node.js core)' };
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (modules) return { file: `${modules[1]}/${modules[2]}`, pkg: modules[1] as string };
  const inRepo = relative(root, path);
  if (!inRepo.startsWith('..')) {
    const ours = /^(packages\/[^/]+|demo|bench)\//.exec(inRepo);
    return { file: inRepo, pkg: ours ? (ours[1] as string) : inRepo };
  }
  return { file: path, pkg: path };
}

/** Summarises one profile: the top `top` functions and packages by self time within [fromUs, toUs]. */
export function summariseProfile(file: string, window: { fromUs: number; toUs: number } | undefined, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  /** The package of the nearest frame (this one or a caller) that is neither Node core nor native. */
  const callerPackage = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const url = (byId.get(at) as ProfileNode).callFrame.url;
      if (url !== '' && !url.startsWith('node:')) return placeOf(url).pkg;
    }
    return placeOf((byId.get(id) as ProfileNode).callFrame.url).pkg;
  };
  // Sample i lasts until sample i+1 (how Chrome's DevTools reads it); timestamps accumulate the deltas.
  const stamps: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) {
    t += delta;
    stamps.push(t);
  }
  const overlaps = window !== undefined && stamps.some((s) => s >= window.fromUs && s <= window.toUs);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const stamp = stamps[i] as number;
    if (overlaps && window && (stamp < window.fromUs || stamp > window.toUs)) continue;
    const duration = i + 1 < stamps.length ? (stamps[i + 1] as number) - stamp : 0;
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + duration);
  }
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const packages = new Map<string, number>();
  const callers = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const place = placeOf(frame.url);
    const name = frame.functionName || '(anonymous)';
    const where = frame.url ? `${place.file}:${frame.lineNumber + 1}` : '';
    const key = `${name}\u0000${where}`;
    const entry = functions.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const pkg = frame.url ? place.pkg : name.startsWith('(') ? name : place.pkg;
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    // GC and (program) belong to no caller; everything else is charged to whoever called into it.
    const caller = frame.url || !name.startsWith('(') ? callerPackage(id) : name;
    callers.set(caller, (callers.get(caller) ?? 0) + us);
  }
  const top12 = (totals: Map<string, number>) =>
    [...totals.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([pkgName, us]) => line(pkgName, '', us));
  const line = (name: string, where: string, us: number): ProfileLine => ({ name, where, selfMs: us / 1000, percent: busyUs > 0 ? (100 * us) / busyUs : 0 });
  return {
    file,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    windowed: overlaps,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => line(f.name, f.where, f.us)),
    packages: top12(packages),
    callers: top12(callers),
  };
}

/** The .cpuprofile files a process wrote into its directory (one per process that ran there). */
export function profilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export function formatProfile(title: string, summary: ProfileSummary): string {
  const lines = [
    `${title}: ${summary.busyMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle${summary.windowed ? ' during the measured levels' : ' (whole process life: the window did not match)'}`,
    `  ${'self ms'.padStart(9)} ${'%'.padStart(6)}  function`,
    ...summary.functions.map((f) => `  ${f.selfMs.toFixed(0).padStart(9)} ${f.percent.toFixed(1).padStart(6)}  ${f.name}  ${f.where}`),
    '  by package (Node core and native work charged to the package that called it):',
    ...summary.callers.map((p) => `  ${p.selfMs.toFixed(0).padStart(9)} ${p.percent.toFixed(1).padStart(6)}  ${p.name}`),
  ];
  return lines.join('\n');
}
