// Ports for tests that must name theirs before listening (the demo's fixed offsets, a hub URL the
// IdP and signer need first). They come from below Linux's ephemeral range (32768-60999), so no
// outgoing connection can take one between the check and the listen, and each caller has its own
// band, so parallel test files never pick the same one.
import { createServer } from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port in [from, to) with `span` free ports from it. */
export async function freePorts(band: { from: number; to: number }, span = 1): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = band.from + Math.floor(Math.random() * (band.to - band.from - span));
    let free = true;
    for (let port = base; port < base + span && free; port++) free = await isFree(port);
    if (free) return base;
  }
  throw new Error(`no ${span} free ports in ${band.from}-${band.to}`);
}

/** Bands per test file. */
export const PORT_BANDS = {
  start: { from: 20_000, to: 26_000 },
  journey: { from: 26_000, to: 32_000 },
  pages: { from: 16_000, to: 20_000 },
  services: { from: 12_000, to: 16_000 },
} as const;
