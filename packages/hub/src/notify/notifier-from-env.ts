// Picks the notifier from the environment at start-up: SMTP_URL unset means e-mail notices are off;
// SMS_GATEWAY_URL (with SMS_GATEWAY_TOKEN) adds SMS for notices addressed to a mobile number.
import { ConfigError } from '../config.ts';
import { createNoopNotifier } from './noop-notifier.ts';
import type { Notifier } from './notice.ts';
import { createSmtpNotifier, type NotifyLogger, smtpSettingsProblems } from './smtp-notifier.ts';
import { createSmsNotifier, routeByAddress, smsSettingsProblems } from './sms-notifier.ts';

export const DEFAULT_MAIL_FROM = 'OpenMyData <no-reply@openmydata.invalid>';

/** Throws ConfigError naming SMTP_URL, MAIL_FROM, SMS_GATEWAY_URL or SMS_GATEWAY_TOKEN when one is set to something unusable. */
export function notifierFromEnv(env: NodeJS.ProcessEnv = process.env, options: { logger?: NotifyLogger } = {}): Notifier {
  // As in loadConfig: an empty variable (FOO= in an env file) means "not set".
  const url = env.SMTP_URL === '' ? undefined : env.SMTP_URL;
  const from = env.MAIL_FROM === '' || env.MAIL_FROM === undefined ? DEFAULT_MAIL_FROM : env.MAIL_FROM;
  const smsUrl = env.SMS_GATEWAY_URL === '' ? undefined : env.SMS_GATEWAY_URL;
  const smsToken = env.SMS_GATEWAY_TOKEN === '' ? undefined : env.SMS_GATEWAY_TOKEN;
  // MAIL_FROM alone is still checked, so a typo does not wait until mail is switched on.
  const problems = smtpSettingsProblems(url ?? 'smtp://127.0.0.1:25', from);
  if (smsUrl !== undefined) problems.push(...smsSettingsProblems(smsUrl, smsToken));
  else if (smsToken !== undefined) problems.push('SMS_GATEWAY_TOKEN: set without SMS_GATEWAY_URL');
  if (problems.length > 0) throw new ConfigError(problems);
  const email = url === undefined ? createNoopNotifier() : createSmtpNotifier({ url, from, ...(options.logger ? { logger: options.logger } : {}) });
  if (smsUrl === undefined) return email;
  const sms = createSmsNotifier({ url: smsUrl, token: smsToken ?? '', ...(options.logger ? { logger: options.logger } : {}) });
  return routeByAddress({ email, sms });
}
