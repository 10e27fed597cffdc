// The mock national identity provider as its own process, started by the launcher.
// Environment: HUB_PORT (default 3000), HUB_PUBLIC_URL (default http://localhost:$HUB_PORT; the
// registered redirect URI is $HUB_PUBLIC_URL/login/oidc/callback), IDP_PORT (default HUB_PORT + 8),
// IDP_HOST (default 127.0.0.1), IDP_ISSUER (default http://$IDP_HOST:$IDP_PORT), IDP_CLIENT_ID
// (default openmydata-hub), IDP_CLIENT_SECRET (default a fixed demo secret; the hub's
// OIDC_CLIENT_SECRET must be the same), IDP_TRUST_PROXY=1 behind a TLS-terminating proxy.
// Empty variables count as unset.
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from './demo-client.ts';
import { startMockIdp } from './mock-idp.ts';
import { env, envPort } from '../process-env.ts';

const hubPort = envPort('HUB_PORT', 3000);
const idpPort = envPort('IDP_PORT', hubPort + 8);
const hubUrl = (env('HUB_PUBLIC_URL') ?? `http://localhost:${hubPort}`).replace(/\/$/, '');
const clientSecret = env('IDP_CLIENT_SECRET') ?? DEMO_CLIENT_SECRET;
if (clientSecret.length < 16) {
  process.stderr.write('IDP_CLIENT_SECRET must be at least 16 characters\n');
  process.exit(78);
}

const idp = await startMockIdp({
  port: idpPort,
  host: env('IDP_HOST') ?? '127.0.0.1',
  ...(env('IDP_ISSUER') ? { issuer: env('IDP_ISSUER') } : {}),
  trustProxy: env('IDP_TRUST_PROXY') === '1',
  clients: [
    {
      client_id: env('IDP_CLIENT_ID') ?? DEMO_CLIENT_ID,
      client_secret: clientSecret,
      redirect_uris: [`${hubUrl}/login/oidc/callback`],
      client_name: 'OpenMyData 個人化資料自主運用平臺',
    },
  ],
});

// Only non-personal facts on stdout: the launcher keeps it in a log file under DATA_DIR.
process.stdout.write(`${JSON.stringify({ ready: { idp: idp.url, issuer: idp.issuer } })}\n`);

const stop = () => {
  idp.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
