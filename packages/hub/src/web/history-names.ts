// A ledger entry as a person reads it: the action, data sets, recipient and outcome named in the
// page's language, never as the codes the ledger stores.
import { FAILURE_MESSAGES, type FailureReason } from '../broker/outcome.ts';
import type { CatalogueSnapshot } from '../catalog/cache.ts';
import type { LedgerEntry } from '../ledger/entry.ts';
import { isMessageKey, type Lang, type Translate } from './i18n.ts';

/** Names of recipients the catalogue does not hold (services, counter offices), by id. */
export interface RecipientNames {
  nameOf(kind: 'service' | 'counter', id: string): { 'zh-TW': string; en: string } | undefined;
}

export const NO_RECIPIENT_NAMES: RecipientNames = { nameOf: () => undefined };

/** The first name any of the sources knows (modes 2 and 3 each bring theirs). */
export function combineRecipientNames(sources: readonly RecipientNames[]): RecipientNames {
  return { nameOf: (kind, id) => sources.reduce<ReturnType<RecipientNames['nameOf']>>((found, s) => found ?? s.nameOf(kind, id), undefined) };
}

export interface DescribedEntry {
  action: string;
  datasets: string;
  recipient: string;
  outcome: string;
}

const METHOD_KEYS = { x509: 'loginMethodX509', oidc: 'loginMethodOidc', passkey: 'loginMethodPasskey' } as const;
const LEVEL_KEYS = { 1: 'levelShort1', 2: 'levelShort2', 3: 'levelShort3', 4: 'levelShort4' } as const;

export function describeEntry(
  entry: LedgerEntry,
  lang: Lang,
  t: Translate,
  names: { snapshot: CatalogueSnapshot; recipients: RecipientNames },
): DescribedEntry {
  const action = `action_${entry.action}`;
  const datasets = entry.datasets.map((id) => names.snapshot.byDataset.get(id)?.dataset.name[lang] ?? id).join('、');
  return {
    action: isMessageKey(action) ? t(action) : entry.action,
    datasets,
    recipient: recipientName(entry, lang, t, names),
    outcome: outcomeName(entry, lang, t),
  };
}

function recipientName(entry: LedgerEntry, lang: Lang, t: Translate, names: { snapshot: CatalogueSnapshot; recipients: RecipientNames }): string {
  const id = entry.recipient;
  if (!id) return '';
  if (id === 'self') return t('recipientSelf');
  if (entry.actor.kind === 'operator' && entry.actor.id === id) return t('recipientOperator', { name: id });
  const agency = names.snapshot.agencies.find((a) => a.id === id);
  if (agency) return agency.name[lang];
  const named = names.recipients.nameOf('service', id) ?? names.recipients.nameOf('counter', id);
  return named ? named[lang] : id;
}

function outcomeName(entry: LedgerEntry, lang: Lang, t: Translate): string {
  const code = entry.outcome;
  if (!code) return '';
  const verified = /^(x509|oidc|passkey)_level_([1-4])$/.exec(code);
  if (verified) {
    const method = verified[1] as keyof typeof METHOD_KEYS;
    const level = Number(verified[2]) as keyof typeof LEVEL_KEYS;
    return `${t(METHOD_KEYS[method])} · ${t(LEVEL_KEYS[level])}`;
  }
  const key = `outcome_${code}`;
  if (isMessageKey(key)) return t(key);
  if (code in FAILURE_MESSAGES) return FAILURE_MESSAGES[code as FailureReason][lang];
  return code;
}
