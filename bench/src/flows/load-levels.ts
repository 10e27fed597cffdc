// Runs one flow function at a concurrency level, bounded in count and in time, and measures it:
// latencies, errors by reason, requests by step, and what each process of the stack spent (CPU from
// /proc, the hub's and the agencies' resident memory sampled every 100 ms).
import { setMaxListeners } from 'node:events';
import type { Timings } from './browser.ts';
import type { DemoStack } from './demo-stack.ts';
import type { Flow } from './flow-kind.ts';
import { cpuMs, loadAverage, machineBusyMs, memoryMiB, RssSampler } from './proc-stats.ts';

export interface LevelPlan {
  concurrency: number;
  flows: number;
  /** The level stops starting flows and cuts off those under way when this passes. */
  seconds: number;
  requestTimeoutMs: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LevelResult {
  concurrency: number;
  planned: number;
  ok: number;
  failed: number;
  /** Flows under way when the time limit passed, and flows never started because of it. */
  cutOff: number;
  notStarted: number;
  wallSeconds: number;
  flowsPerSecond: number;
  /** Complete flows, first request to the ZIP's last byte, ms. */
  latencyMs: Percentiles | undefined;
  errors: Record<string, number>;
  /** Each request kind (method and route, or the progress stream read to its end): count and ms. */
  steps: Record<string, { count: number } & Percentiles>;
  packages: number;
  cpu: {
    hubMs: number;
    agenciesMs: number;
    idpMs: number;
    benchMs: number;
    /** Hub CPU over the flows that ended (complete or failed) in the level. */
    hubMsPerFlow: number | undefined;
    agencyMsPerPackage: number | undefined;
    idpMsPerFlow: number | undefined;
    benchMsPerFlow: number | undefined;
    /** Cores' worth of CPU the rest of the machine (other work, not this stack) used meanwhile. */
    otherCores: number;
  };
  memory: { hubPeakRssMiB: number; hubHwmMiB: number | undefined; agenciesPeakRssMiB: number };
  loadAverage: { start: number; end: number };
}

export function percentiles(values: number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] as number;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] as number };
}

class StepTimings implements Timings {
  readonly byStep = new Map<string, number[]>();
  step(name: string, ms: number): void {
    const list = this.byStep.get(name) ?? [];
    list.push(ms);
    this.byStep.set(name, list);
  }
  summary(): LevelResult['steps'] {
    return Object.fromEntries([...this.byStep].map(([name, values]) => [name, { count: values.length, ...(percentiles(values) as Percentiles) }]));
  }
}

const cpuOf = (pid: number) => cpuMs(pid) ?? Number.NaN;
const ownCpu = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

/** Counts flows across the run, so round robin over people carries on from level to level. */
let nextIndex = 0;

export async function runLevel(stack: DemoStack, flow: Flow, plan: LevelPlan): Promise<LevelResult> {
  const controller = new AbortController();
  // Every request under way listens to the level's signal.
  setMaxListeners(0, controller.signal);
  const limit = setTimeout(() => controller.abort(), plan.seconds * 1000);
  const timings = new StepTimings();
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let started = 0;
  let failed = 0;
  let cutOff = 0;
  let packages = 0;

  const before = { hub: cpuOf(stack.hub.pid), agencies: cpuOf(stack.agencies.pid), idp: cpuOf(stack.idp.pid), bench: ownCpu(), machine: machineBusyMs() };
  const loadStart = loadAverage();
  const hubRss = new RssSampler(stack.hub.pid);
  const agenciesRss = new RssSampler(stack.agencies.pid);
  const t0 = performance.now();

  const worker = async () => {
    while (started < plan.flows && !controller.signal.aborted) {
      started++;
      const index = nextIndex++;
      const flowStarted = performance.now();
      try {
        const result = await flow({ index, signal: controller.signal, requestTimeoutMs: plan.requestTimeoutMs, timings });
        latencies.push(performance.now() - flowStarted);
        packages += result.packages;
      } catch (error) {
        if (controller.signal.aborted) {
          cutOff++;
          continue;
        }
        failed++;
        const reason = error instanceof Error && error.name === 'FlowError' ? error.message : `bench error: ${(error as Error).message}`;
        errors[reason] = (errors[reason] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  const wallMs = performance.now() - t0;
  clearTimeout(limit);

  const after = { hub: cpuOf(stack.hub.pid), agencies: cpuOf(stack.agencies.pid), idp: cpuOf(stack.idp.pid), bench: ownCpu(), machine: machineBusyMs() };
  const used = {
    hub: after.hub - before.hub,
    agencies: after.agencies - before.agencies,
    idp: after.idp - before.idp,
    bench: after.bench - before.bench,
  };
  const ended = latencies.length + failed;
  const per = (ms: number, count: number) => (count > 0 ? ms / count : undefined);
  const otherMs = after.machine - before.machine - used.hub - used.agencies - used.idp - used.bench;
  return {
    concurrency: plan.concurrency,
    planned: plan.flows,
    ok: latencies.length,
    failed,
    cutOff,
    notStarted: plan.flows - started,
    wallSeconds: wallMs / 1000,
    flowsPerSecond: latencies.length / (wallMs / 1000),
    latencyMs: percentiles(latencies),
    errors,
    steps: timings.summary(),
    packages,
    cpu: {
      hubMs: used.hub,
      agenciesMs: used.agencies,
      idpMs: used.idp,
      benchMs: used.bench,
      hubMsPerFlow: per(used.hub, ended),
      agencyMsPerPackage: per(used.agencies, packages),
      idpMsPerFlow: per(used.idp, ended),
      benchMsPerFlow: per(used.bench, ended),
      otherCores: Math.max(0, otherMs / wallMs),
    },
    memory: { hubPeakRssMiB: hubRss.stop(), hubHwmMiB: memoryMiB(stack.hub.pid)?.hwm, agenciesPeakRssMiB: agenciesRss.stop() },
    loadAverage: { start: loadStart, end: loadAverage() },
  };
}

/**
 * Waits until the hub and the agencies are quiet (retrievals cut off at a time limit may still be
 * running), so one level's leftovers are not charged to the next. Gives up after `maxMs`.
 */
export async function settle(stack: DemoStack, maxMs = 20_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = cpuOf(stack.hub.pid) + cpuOf(stack.agencies.pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuOf(stack.hub.pid) + cpuOf(stack.agencies.pid);
    if (now - last <= 30) return;
    last = now;
  }
}
