// The demo mail sink as its own process, started by the launcher: SMTP for the hub's notices and
// the outbox page to read them. Environment: HUB_PORT (default 3000), MAIL_OUTBOX_PORT (default
// HUB_PORT + 10), MAIL_SMTP_PORT (default HUB_PORT + 20), MAIL_HOST (a loopback address, default
// 127.0.0.1). Empty variables count as unset. Messages live in memory only.
import { startMailSink } from './mail-sink.ts';
import { env, envPort } from '../process-env.ts';

const hubPort = envPort('HUB_PORT', 3000);
const httpPort = envPort('MAIL_OUTBOX_PORT', hubPort + 10);
const smtpPort = envPort('MAIL_SMTP_PORT', hubPort + 20);

let sink: Awaited<ReturnType<typeof startMailSink>>;
try {
  sink = await startMailSink({ smtpPort, httpPort, host: env('MAIL_HOST') ?? '127.0.0.1' });
} catch (error) {
  process.stderr.write(`mail sink: ${(error as Error).message}\n`);
  process.exit(1);
}

// Only non-personal facts on stdout: the launcher keeps it in a log file under DATA_DIR.
process.stdout.write(`${JSON.stringify({ ready: { smtp: sink.smtpUrl, outbox: sink.outboxUrl } })}\n`);

const stop = () => {
  sink.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
