// Notices as SMS through an HTTP gateway: one POST of JSON { to, text } (to in E.164) with a bearer
// token, to SMS_GATEWAY_URL. Any 2xx is accepted. Like the mail notifier it never rejects: a notice
// the gateway did not take is logged without the number and resolves false, so no flow fails on it.
import { ConfigError } from '../config.ts';
import { NoticeError } from './compose-notice.ts';
import { normalizeMobile } from './mobile-number.ts';
import type { Notice, Notifier } from './notice.ts';
import type { NotifyLogger } from './smtp-notifier.ts';
import { composeSms } from './sms-text.ts';

export interface SmsNotifierOptions {
  /** The gateway's endpoint, e.g. https://sms.example.tw/v1/messages (http only on the loopback). */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
  logger?: NotifyLogger;
  /** How long one send may take. */
  timeoutMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** The problems with the SMS settings, one line per variable, ready for a ConfigError (never echoing the token). */
export function smsSettingsProblems(url: string, token: string | undefined): string[] {
  const problems: string[] = [];
  if (!URL.canParse(url)) problems.push('SMS_GATEWAY_URL: must be a URL such as https://sms.example.tw/v1/messages');
  else {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)))
      problems.push('SMS_GATEWAY_URL: must use https (plain http only to a gateway on this machine)');
    if (parsed.username || parsed.password) problems.push('SMS_GATEWAY_URL: must not carry credentials (use SMS_GATEWAY_TOKEN)');
  }
  if (!token) problems.push('SMS_GATEWAY_TOKEN: must be set when SMS_GATEWAY_URL is (the gateway’s bearer token)');
  else if (!/^[\x21-\x7e]{16,512}$/.test(token)) problems.push('SMS_GATEWAY_TOKEN: 16 to 512 visible ASCII characters');
  return problems;
}

export function createSmsNotifier(options: SmsNotifierOptions): Notifier {
  const problems = smsSettingsProblems(options.url, options.token);
  if (problems.length > 0) throw new ConfigError(problems);
  const { url, token, logger } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async notify(notice: Notice): Promise<boolean> {
      const started = Date.now();
      const kind = typeof notice?.kind === 'string' ? notice.kind : 'unknown';
      try {
        const to = normalizeMobile(notice.to);
        if (!to) {
          logger?.warn({ kind, channel: 'sms', reason: 'not a mobile number' }, 'notification not sent');
          return false;
        }
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ to, text: composeSms(notice) }),
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        // The gateway's answer is not needed; read it so the connection is reused.
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) {
          logger?.warn({ kind, channel: 'sms', ms: Date.now() - started, status: res.status }, 'notification not sent');
          return false;
        }
        logger?.info({ kind, channel: 'sms', ms: Date.now() - started }, 'notification sent');
        return true;
      } catch (error) {
        const reason = error instanceof NoticeError ? error.message : error instanceof Error ? error.name : 'unknown';
        logger?.warn({ kind, channel: 'sms', ms: Date.now() - started, reason }, 'notification not sent');
        return false;
      }
    },
  };
}

/**
 * One notifier over the channels: a notice goes by SMS when its `to` is a mobile number and by
 * e-mail otherwise. A channel that is not configured resolves false, like a failed send.
 */
export function routeByAddress(channels: { email: Notifier; sms?: Notifier | undefined }): Notifier {
  return {
    sms: channels.sms !== undefined,
    notify(notice: Notice): Promise<boolean> {
      if (normalizeMobile(notice?.to)) return channels.sms ? channels.sms.notify(notice) : Promise.resolve(false);
      return channels.email.notify(notice);
    },
  };
}
