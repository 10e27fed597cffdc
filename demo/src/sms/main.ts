// The demo SMS gateway as its own process, started by the launcher: the hub's SmsNotifier posts
// here, the outbox page shows what arrived. Environment: HUB_PORT (default 3000), SMS_GATEWAY_PORT
// (default HUB_PORT + 18), SMS_GATEWAY_TOKEN (default the demo's public token). Messages live in
// memory only.
import { env, envPort } from '../process-env.ts';
import { DEMO_SMS_TOKEN, startSmsSink } from './sms-sink.ts';

const hubPort = envPort('HUB_PORT', 3000);
const port = envPort('SMS_GATEWAY_PORT', hubPort + 18);

let sink: Awaited<ReturnType<typeof startSmsSink>>;
try {
  sink = await startSmsSink({ port, token: env('SMS_GATEWAY_TOKEN') ?? DEMO_SMS_TOKEN });
} catch (error) {
  process.stderr.write(`sms gateway: ${(error as Error).message}\n`);
  process.exit(1);
}

// Only non-personal facts on stdout: the launcher keeps it in a log file under DATA_DIR.
process.stdout.write(`${JSON.stringify({ ready: { gateway: sink.url, outbox: sink.outboxUrl } })}\n`);

const stop = () => {
  sink.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
