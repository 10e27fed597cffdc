// The demo mail sink as its own process, started by the launcher: SMTP for the hub's notices and
// the outbox page to read them. Environment: HUB_PORT (default 3000), MAIL_OUTBOX_PORT (default
// HUB_PORT + 10), MAIL_SMTP_PORT (default HUB_PORT + 20), MAIL_HOST (a loopback address, default
// 127.0.0.1). Empty variables count as unset. Messages live in memory only.
import { startMailSink } from './mail-sink.ts';

const env = (name: string): string | undefined => (process.env[name] === '' ? undefined : process.env[name]);

function port(name: string, value: string | undefined, fallback: number): number {
  const parsed = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    process.stderr.write(`${name} must be a port number; got ${value}\n`);
    process.exit(78);
  }
  return parsed;
}

const hubPort = port('HUB_PORT', env('HUB_PORT'), 3000);
const httpPort = port('MAIL_OUTBOX_PORT', env('MAIL_OUTBOX_PORT'), hubPort + 10);
const smtpPort = port('MAIL_SMTP_PORT', env('MAIL_SMTP_PORT'), hubPort + 20);

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
