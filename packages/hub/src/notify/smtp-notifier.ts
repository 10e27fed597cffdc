// Notices as email over SMTP (nodemailer). STARTTLS is used whenever the server offers it, and
// its certificate must then verify; credentials only when the URL carries them, and then never in
// clear text to anything but the loopback. A failed send is logged without the address and
// resolves false: mail being down must never fail a download, transfer or counter retrieval.
import { createTransport } from 'nodemailer';
import type { SMTPTransportOptions } from 'nodemailer';
import { ConfigError } from '../config.ts';
import { composeNotice, NoticeError } from './compose-notice.ts';
import { isValidEmail, type Mailbox, parseMailbox } from './email-address.ts';
import type { Notice, Notifier } from './notice.ts';

/** What the notifier logs; the hub's pino logger fits. */
export interface NotifyLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface SmtpNotifierOptions {
  /** smtp://host:port (STARTTLS if offered) or smtps://host:port (TLS from the start); user:password@ only if the server wants it. */
  url: string;
  /** The sender: `address` or `Display Name <address>`. */
  from: string;
  logger?: NotifyLogger;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** The transport settings for an SMTP URL, or the problem with it (never echoing the URL, which may hold a password). */
export function parseSmtpUrl(value: string): { options: SMTPTransportOptions } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'must be a URL such as smtp://127.0.0.1:2525 or smtps://mail.example.org:465' };
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return { problem: 'must start with smtp:// or smtps://' };
  if (!url.hostname) return { problem: 'must name a host' };
  if (url.port === '0') return { problem: 'must name a port from 1 to 65535' };
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) return { problem: 'must not carry a path, query or fragment' };
  if (Boolean(url.username) !== Boolean(url.password)) return { problem: 'must carry both a user name and a password, or neither' };
  const secure = url.protocol === 'smtps:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let auth: { user: string; pass: string } | undefined;
  try {
    auth = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
  } catch {
    return { problem: 'has a badly percent-encoded user name or password' };
  }
  return {
    options: {
      host,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      ...(auth ? { auth } : {}),
      // A password is sent only inside TLS, except to a relay on this very machine.
      requireTLS: Boolean(auth) && !secure && !LOOPBACK.has(url.hostname),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      dnsTimeout: 10_000,
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    },
  };
}

/** The problems with a pair of settings, one line per variable, ready for a ConfigError. */
export function smtpSettingsProblems(url: string, from: string): string[] {
  const problems: string[] = [];
  const parsed = parseSmtpUrl(url);
  if ('problem' in parsed) problems.push(`SMTP_URL: ${parsed.problem}`);
  if (!parseMailbox(from)) problems.push('MAIL_FROM: must be an email address, or a name followed by <address>, e.g. OpenMyData <no-reply@example.org>');
  return problems;
}

/** Error text may quote an address back (a 550 reply, say); logs must not. */
function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g, '[address]').slice(0, 300);
}

function failureDetails(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: 'unknown' };
  const e = error as Error & { code?: unknown; responseCode?: unknown; command?: unknown };
  return {
    error: e.name,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.responseCode === 'number' ? { responseCode: e.responseCode } : {}),
    ...(typeof e.command === 'string' ? { command: withoutAddresses(e.command) } : {}),
    reason: withoutAddresses(e.message),
  };
}

/** Throws ConfigError (naming SMTP_URL or MAIL_FROM) for settings it cannot use. */
export function createSmtpNotifier(options: SmtpNotifierOptions): Notifier {
  const problems = smtpSettingsProblems(options.url, options.from);
  const parsed = parseSmtpUrl(options.url);
  const from = parseMailbox(options.from);
  if (problems.length > 0 || 'problem' in parsed || !from) throw new ConfigError(problems);
  const transport = createTransport(parsed.options);
  const sender: Mailbox = from;
  const logger = options.logger;

  return {
    async notify(notice: Notice): Promise<boolean> {
      const started = Date.now();
      const kind = typeof notice?.kind === 'string' ? notice.kind : 'unknown';
      try {
        if (!isValidEmail(notice.to)) {
          logger?.warn({ kind, reason: 'not a valid email address' }, 'notification not sent');
          return false;
        }
        const message = composeNotice(notice);
        await transport.sendMail({
          from: sender.name ? { name: sender.name, address: sender.address } : sender.address,
          to: notice.to,
          envelope: { from: sender.address, to: [notice.to] },
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: {
            'Auto-Submitted': 'auto-generated',
            'X-Auto-Response-Suppress': 'All',
            'Content-Language': notice.lang === 'en' ? 'en, zh-TW' : 'zh-TW, en',
          },
        });
        logger?.info({ kind, ms: Date.now() - started }, 'notification sent');
        return true;
      } catch (error) {
        const details = error instanceof NoticeError ? { reason: error.message } : failureDetails(error);
        logger?.warn({ kind, ms: Date.now() - started, ...details }, 'notification not sent');
        return false;
      }
    },
  };
}
