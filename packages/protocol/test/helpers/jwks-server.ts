// A JWKS endpoint that misbehaves on purpose (slow, failing, gone), for the key-fetch failure paths.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type JwksBehaviour = 'hang' | 'status-500';

export interface JwksServer {
  url: URL;
  close(): Promise<void>;
}

export async function startJwksServer(behaviour: JwksBehaviour): Promise<JwksServer> {
  const server = createServer((_req, res) => {
    if (behaviour === 'status-500') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('down');
    }
    // 'hang': never answer; the client's timeout has to end it.
  });
  const url = await listen(server);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens: port 1 is unused and no test binds it. */
export const UNREACHABLE_JWKS_URL = new URL('http://127.0.0.1:1/.well-known/jwks.json');

async function listen(server: Server): Promise<URL> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`);
}
