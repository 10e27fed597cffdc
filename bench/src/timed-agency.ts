// A bench agency in its own process: verifies the hub's request token, waits DELAY_MS as if
// looking the person up, then answers a freshly signed package. It renders no PDF per request
// (one rendered at start-up is reused) so the figure measures the hub's fan-out, not PDF speed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assemblePackage, PACKAGE_PATHS, verifyRequestToken } from '@openmydata/protocol';
import { createRemoteJWKSet, exportJWK, generateKeyPair } from 'jose';

const id = process.env.AGENCY_ID ?? 'bench';
const delayMs = Number(process.env.DELAY_MS ?? 50);
const hubUrl = process.env.HUB_URL ?? '';
const hubIssuer = process.env.HUB_ISSUER ?? hubUrl;
const hubKeys = createRemoteJWKSet(new URL('/.well-known/jwks.json', hubUrl));
const { publicKey, privateKey } = await generateKeyPair('ES256');
const kid = `${id}-1`;
const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] });
const pdf = Buffer.from('%PDF-1.7\n% bench placeholder\n');

const server = createServer(async (req, res) => {
  if (req.url === '/.well-known/jwks.json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    return;
  }
  try {
    const claims = await verifyRequestToken((req.headers.authorization ?? '').slice(7), { keys: hubKeys, issuer: hubIssuer, audience: id });
    await new Promise((r) => setTimeout(r, delayMs));
    const data = Buffer.from(JSON.stringify({ agency: id, dataset: claims.dataset, created_at: new Date().toISOString(), records: [{ value: 'bench' }] }));
    const zip = await assemblePackage(
      [
        { path: PACKAGE_PATHS.data, data, mediaType: 'application/json' },
        { path: PACKAGE_PATHS.pdf, data: pdf, mediaType: 'application/pdf', compress: false },
      ],
      { agency: id, dataset: claims.dataset, transactionId: claims.txn, consentId: claims.consent_id },
      { privateKey, kid },
    );
    res.writeHead(200, { 'content-type': 'application/zip' }).end(zip);
  } catch {
    res.writeHead(401, { 'content-type': 'application/problem+json' }).end('{"code":"token_invalid","status":401}');
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
