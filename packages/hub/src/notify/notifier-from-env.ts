// Picks the notifier from the environment at start-up: SMTP_URL unset means notices are off.
import { ConfigError } from '../config.ts';
import { createNoopNotifier } from './noop-notifier.ts';
import type { Notifier } from './notice.ts';
import { createSmtpNotifier, type NotifyLogger, smtpSettingsProblems } from './smtp-notifier.ts';

export const DEFAULT_MAIL_FROM = 'OpenMyData <no-reply@openmydata.invalid>';

/** Throws ConfigError naming SMTP_URL and/or MAIL_FROM when either is set to something unusable. */
export function notifierFromEnv(env: NodeJS.ProcessEnv = process.env, options: { logger?: NotifyLogger } = {}): Notifier {
  // As in loadConfig: an empty variable (FOO= in an env file) means "not set".
  const url = env.SMTP_URL === '' ? undefined : env.SMTP_URL;
  const from = env.MAIL_FROM === '' || env.MAIL_FROM === undefined ? DEFAULT_MAIL_FROM : env.MAIL_FROM;
  if (url === undefined) {
    // MAIL_FROM alone is still checked, so a typo does not wait until mail is switched on.
    const problems = smtpSettingsProblems('smtp://127.0.0.1:25', from);
    if (problems.length > 0) throw new ConfigError(problems);
    return createNoopNotifier();
  }
  const problems = smtpSettingsProblems(url, from);
  if (problems.length > 0) throw new ConfigError(problems);
  return createSmtpNotifier({ url, from, ...(options.logger ? { logger: options.logger } : {}) });
}
