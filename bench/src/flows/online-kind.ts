// The online kind (mode 3) for the flows harness: the demo bank's loan pre-screening (income, labour
// insurance, property from two agencies), registered with the hub the way the demo registers its
// services (npm run operator -- service add FILE), with the bench in the service's place: its keys
// are inline in the registration and its callback address is never fetched, the SDK takes the
// code from it. No webhook: the service polls the data call, as a service without one does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServiceKeys, publicJwks, ServiceClient } from '@openmydata/service-sdk';
import { BANK, registryEntry } from '../../../demo/src/services/definitions.ts';
import { type OnlineFlowContext, onlineFlow } from '../online-flows.ts';
import { Browser } from './browser.ts';
import type { DemoStack } from './demo-stack.ts';
import type { FlowKind } from './flow-kind.ts';
import { peopleWithRecords } from './sign-in.ts';

const SERVICE_BASE = 'https://bench-bank.example.test';

/** Waits until the hub's public service list shows the service (the hub caches its directory for a few seconds). */
async function untilListed(stack: DemoStack, serviceId: string, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const res = await fetch(new URL('/api/v1/services', stack.hubUrl), { signal: AbortSignal.timeout(5000) });
    if (res.ok && (await res.text()).includes(`"${serviceId}"`)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the hub did not list the service ${serviceId} within ${seconds} s of its registration`);
}

export const onlineKind: FlowKind = {
  async prepare(stack, options) {
    if (options.datasets) throw new Error(`--datasets: the online kind asks for the demo bank's data sets (${BANK.datasets.map((d) => d.id).join(', ')})`);
    const datasets = BANK.datasets.map((d) => d.id);
    const people = peopleWithRecords(stack, datasets);
    const keys = await generateServiceKeys();
    const { jwks_uri: _published, ...provider } = registryEntry(BANK, SERVICE_BASE);
    const registration = {
      providers: [{ ...provider, jwks: publicJwks(keys), services: provider.services.map(({ webhook_url: _webhook, ...service }) => service) }],
    };
    const dir = mkdtempSync(join(tmpdir(), 'omd-bench-online-'));
    try {
      const file = join(dir, 'services.json');
      writeFileSync(file, `${JSON.stringify(registration, null, 2)}\n`);
      await stack.operator(['service', 'add', file, '--operator', 'bench']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await untilListed(stack, BANK.id);
    const redirectUri = provider.redirect_uris[0] as string;
    const sdk = await ServiceClient.create({ hub: stack.hubUrl, clientId: BANK.clientId, redirectUri, keys, allowInsecureRequests: true });
    const context: OnlineFlowContext = { stack, sdk, redirectUri, service: { id: BANK.id, datasets } };
    return {
      description: `online service ${BANK.id} (${datasets.join(', ')}): pushed request, mobile ID (and certificate on a first use), consent, token with DPoP, data call until delivered, every package verified; ${people.length} synthetic citizens round robin`,
      flow: async (ctx) => {
        const browser = new Browser({ timeoutMs: ctx.requestTimeoutMs, signal: ctx.signal, timings: ctx.timings });
        return { packages: await onlineFlow(context, browser, people[ctx.index % people.length] as string, ctx.signal) };
      },
    };
  },
};
