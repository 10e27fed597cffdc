// The counter kind (mode 2) for the flows harness: the demo's counters (demo/src/counters.ts, given
// to the hub as the launcher gives them), one of their services whose three data sets come from three
// agencies, one clerk per flow under way (made the operator's way, npm run operator -- counter staff
// import, and signed in at the console before the first level), and the demo's mail sink, which the
// hub mails the confirmation codes to and the person reads them from.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { newStaffCredentials } from '@openmydata/hub';
import { DEMO_COUNTERS } from '../../../demo/src/counters.ts';
import { type Clerk, type CounterFlowContext, counterFlow, signInClerk } from '../counter-flows.ts';
import { Browser } from './browser.ts';
import type { FlowKind } from './flow-kind.ts';
import { peopleWithRecords } from './sign-in.ts';

/**
 * Household, property and vehicles: three data sets from three agencies, each answering at once, and
 * among such services the one the most synthetic citizens have records for (29).
 */
const SERVICE_ID = 'minxiong-disaster-relief';

const root = join(import.meta.dirname, '../../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The demo mail sink as its own process (demo/src/mail/main.ts), ready when it prints its addresses. */
async function startMailSink(): Promise<{ child: ChildProcess; smtp: string; outbox: string }> {
  const [smtpPort, outboxPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/src/mail/main.ts'], {
    cwd: root,
    env: { ...process.env, MAIL_SMTP_PORT: String(smtpPort), MAIL_OUTBOX_PORT: String(outboxPort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A bench stopped half-way (Ctrl-C, a failed start of the stack) leaves no mail sink behind.
  process.once('exit', () => child.kill('SIGTERM'));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the demo mail sink exited (${code})`)));
  });
  const { ready } = JSON.parse(line) as { ready: { smtp: string; outbox: string } };
  return { child, smtp: ready.smtp, outbox: ready.outbox.replace(/\/$/, '') };
}

const office = DEMO_COUNTERS.governments.flatMap((g) => g.offices).find((o) => o.services.some((s) => s.id === SERVICE_ID));
const service = office?.services.find((s) => s.id === SERVICE_ID);

/** A new counter kind per run: it holds the mail sink and the files it started in hubEnv until close. */
export function counterKind(): FlowKind {
  let dir: string | undefined;
  let mail: Awaited<ReturnType<typeof startMailSink>> | undefined;
  const close = async () => {
    if (mail && mail.child.exitCode === null) {
      const exited = new Promise((resolve) => mail?.child.once('exit', resolve));
      mail.child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  return {
    async hubEnv() {
      if (!office || !service) throw new Error(`the demo counters have no service ${SERVICE_ID}`);
      const made = mkdtempSync(join(tmpdir(), 'omd-bench-counter-'));
      dir = made;
      // Gone even when the stack fails to start and close is never reached.
      process.once('exit', () => rmSync(made, { recursive: true, force: true }));
      const countersFile = join(dir, 'counters.json');
      writeFileSync(countersFile, `${JSON.stringify(DEMO_COUNTERS, null, 2)}\n`);
      mail = await startMailSink();
      return { COUNTER_REGISTRY_FILE: countersFile, SMTP_URL: mail.smtp };
    },
    async prepare(stack, options) {
      try {
        if (options.datasets) throw new Error(`--datasets: the counter kind asks for the data sets of the demo's ${SERVICE_ID} service`);
        if (!office || !service || !dir || !mail) throw new Error('the counter kind was not given its environment (hubEnv) before the stack started');
        const datasets = service.datasets;
        const people = peopleWithRecords(stack, datasets);
        // One clerk per flow under way, as many desks as people at them; credentials live in the
        // run's own temporary directory and go with it.
        const accounts = Array.from({ length: options.concurrency }, (_, i) => ({ id: `bench.clerk.${i}`, ...newStaffCredentials() }));
        const staffFile = join(dir, 'staff.json');
        writeFileSync(
          staffFile,
          JSON.stringify(accounts.map((a) => ({ id: a.id, office: office.id, role: 'clerk', password: a.password, totp_secret: a.totpSecret }))),
          { mode: 0o600 },
        );
        await stack.operator(['counter', 'staff', 'import', staffFile, '--operator', 'bench']);
        rmSync(staffFile);
        const desk = new AbortController();
        const free: Clerk[] = [];
        for (const account of accounts) free.push(await signInClerk(new Browser({ timeoutMs: 30_000, signal: desk.signal }), stack.hubUrl, account));
        const context: CounterFlowContext = { stack, outbox: mail.outbox, service: { id: SERVICE_ID, datasets } };
        return {
          description: `counter service ${SERVICE_ID} (${datasets.join(', ')}): certificate (and mobile ID on a first use), consent, code, clerk's scan, mailed confirmation code, case verified and closed; ${people.length} synthetic citizens round robin, one clerk per flow under way`,
          flow: async (ctx) => {
            const clerk = free.pop();
            if (!clerk) throw new Error('more flows under way than clerks signed in');
            try {
              const options = { timeoutMs: ctx.requestTimeoutMs, signal: ctx.signal, timings: ctx.timings };
              const atDesk = { ...clerk, browser: clerk.browser.withOptions(options) };
              const person = people[ctx.index % people.length] as string;
              return { packages: await counterFlow(context, new Browser(options), atDesk, person, `bench.${ctx.index}@example.test`, ctx.signal) };
            } finally {
              free.push(clerk);
            }
          },
          close,
        };
      } catch (error) {
        await close();
        throw error;
      }
    },
  };
}
