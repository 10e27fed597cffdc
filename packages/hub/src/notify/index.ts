// Notifications after each download, transfer or counter retrieval.
export { composeNotice, type ComposedNotice, NoticeError, taipeiTime } from './compose-notice.ts';
export { isValidEmail, type Mailbox, parseMailbox } from './email-address.ts';
export { isMobileNumber, normalizeMobile } from './mobile-number.ts';
export { createNoopNotifier } from './noop-notifier.ts';
export type { BilingualName, Notice, NoticeKind, NoticeLang, Notifier } from './notice.ts';
export { DEFAULT_MAIL_FROM, notifierFromEnv } from './notifier-from-env.ts';
export { createSmtpNotifier, type NotifyLogger, parseSmtpUrl, type SmtpNotifierOptions, smtpSettingsProblems } from './smtp-notifier.ts';
export { createSmsNotifier, routeByAddress, type SmsNotifierOptions, smsSettingsProblems } from './sms-notifier.ts';
export { composeSms } from './sms-text.ts';
