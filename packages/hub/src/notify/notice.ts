// What the hub tells a person after their data left it, and the one interface every channel
// (e-mail, SMS) implements. A notice carries only names of data sets, agencies and
// services, a time and a link: never the person's ID, name, address or any record.

export type NoticeLang = 'zh-TW' | 'en';

/** counter_confirmation carries the one-time code a clerk asks for before opening a counter package. */
export type NoticeKind = 'download' | 'transfer' | 'counter_retrieval' | 'counter_confirmation';

export interface BilingualName {
  'zh-TW': string;
  en: string;
}

export interface Notice {
  /** Where to reach the person: an e-mail address (SMTP notifier) or a mobile number (SMS notifier). */
  to: string;
  /** The person's language; the other language follows below it. */
  lang: NoticeLang;
  kind: NoticeKind;
  /** When the data was delivered. Shown in Taiwan time. */
  at: Date;
  datasets: Array<{ name: BilingualName; agency: BilingualName }>;
  /** Who received the data: the online service (transfer) or the counter agency (counter_retrieval). */
  recipient?: BilingualName;
  /** The person's usage history page. */
  historyUrl: string;
  /** counter_confirmation only: the code the person tells the clerk (6 digits) and how long it works. */
  confirmation?: { code: string; validMinutes: number };
}

export interface Notifier {
  /**
   * Sends the notice. Never rejects: a notice that could not be sent is logged (without the
   * address) and resolves false, so the caller's download, transfer or counter flow goes on.
   * Resolves true only when a mail server or SMS gateway accepted the message.
   */
  notify(message: Notice): Promise<boolean>;
  /** True when a mobile number reaches the person too (an SMS channel is configured). */
  readonly sms?: boolean;
}
