// What a LedgerEntry may hold, and the check every entry passes before it is appended. Entries carry
// ids, codes and a purpose text, never names, addresses or record contents; the person is present
// only as their subject key (see keys/subject-key.ts).
import { z } from 'zod';

export const LEDGER_ACTIONS = [
  'identity_verified',
  'consent_granted',
  'consent_denied',
  'consent_revoked',
  'consent_used',
  'agency_request',
  'agency_outcome',
  'package_built',
  'download',
  'transfer_to_service',
  'counter_retrieval',
  'staff_action',
  'operator_action',
] as const;
export type LedgerAction = (typeof LEDGER_ACTIONS)[number];

/** Who did it: the person (by subject key), the hub itself, an agency, a service provider, counter staff or an operator. */
export const ACTOR_KINDS = ['citizen', 'hub', 'agency', 'service', 'staff', 'operator'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** What callers hand to Ledger.append. The ledger adds index and time. */
export interface LedgerEntryInput {
  action: LedgerAction;
  actor: { kind: ActorKind; id: string };
  /** The person's subject key (64 hex), never the national ID. */
  subject?: string | null;
  datasets?: readonly string[];
  consent?: string | null;
  /** The agency, service provider or counter that received (or was asked for) the data. */
  recipient?: string | null;
  purpose?: string | null;
  /** A code such as ok, no_data, denied or a broker failure reason. */
  outcome?: string | null;
}

/** An entry as stored in the leaf: every field present, absent ones null (or [] for datasets). */
export interface LedgerEntry {
  v: 1;
  index: number;
  /** ISO 8601 UTC with milliseconds, stamped by the ledger when appended. */
  time: string;
  action: LedgerAction;
  actor: { kind: ActorKind; id: string };
  subject: string | null;
  datasets: string[];
  consent: string | null;
  recipient: string | null;
  purpose: string | null;
  outcome: string | null;
}

export const SUBJECT_KEY = /^[0-9a-f]{64}$/;
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const DATASET_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const OUTCOME = /^[a-z][a-z0-9_]{0,63}$/;
// A national ID or resident certificate number standing alone (as a token), in any case or width.
const PERSON_ID_TOKEN = /(?<![A-Za-z0-9])[A-Za-z][1289A-Da-d]\d{8}(?![A-Za-z0-9])/;
const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]+/;
// Control characters (C0, DEL, C1) are refused in purpose texts.
const CONTROL = /\p{Cc}/u;

/** True when text holds something shaped like a national ID (after NFKC, so full-width digits count). */
export function looksLikePersonId(text: string): boolean {
  return PERSON_ID_TOKEN.test(text.normalize('NFKC'));
}

const noPersonId = (s: string) => !looksLikePersonId(s);
const safeId = z.string().regex(SAFE_ID).refine(noPersonId, 'looks like a national ID');

const actor = z
  .object({ kind: z.enum(ACTOR_KINDS), id: safeId })
  .strict()
  .refine((a) => a.kind !== 'citizen' || SUBJECT_KEY.test(a.id), { message: 'a citizen actor is named by subject key', path: ['id'] });

const inputSchema = z
  .object({
    action: z.enum(LEDGER_ACTIONS),
    actor,
    subject: z.string().regex(SUBJECT_KEY).nullish(),
    datasets: z
      .array(z.string().regex(DATASET_ID))
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, 'data set ids repeat')
      .optional(),
    consent: safeId.nullish(),
    recipient: safeId.nullish(),
    purpose: z
      .string()
      .min(1)
      .max(500)
      .refine((s) => !CONTROL.test(s), 'holds control characters')
      .refine(noPersonId, 'looks like it holds a national ID')
      .refine((s) => !s.includes('@') || !EMAIL.test(s), 'looks like it holds an e-mail address')
      .nullish(),
    outcome: z.string().regex(OUTCOME).nullish(),
  })
  .strict();

const entrySchema = z
  .object({
    v: z.literal(1),
    index: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    time: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    action: z.enum(LEDGER_ACTIONS),
    actor,
    subject: z.string().regex(SUBJECT_KEY).nullable(),
    datasets: z.array(z.string().regex(DATASET_ID)).max(100),
    consent: safeId.nullable(),
    recipient: safeId.nullable(),
    purpose: z.string().max(500).nullable(),
    outcome: z.string().regex(OUTCOME).nullable(),
  })
  .strict();

/** A refused entry. The message names fields and rules only, never the offending value. */
export class LedgerEntryError extends Error {
  override readonly name = 'LedgerEntryError';
  constructor(
    readonly position: number,
    readonly problems: string[],
  ) {
    super(`ledger entry ${position} refused: ${problems.join('; ')}`);
  }
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(entry)'}: ${issue.message.replace(/"[^"]*"/g, '…')}`);
}

export type CheckedEntry = Omit<LedgerEntry, 'v' | 'index' | 'time'>;

/** Checks a batch before any work is done, so a batch is refused whole. Throws LedgerEntryError. */
export function checkEntryInputs(inputs: readonly LedgerEntryInput[]): CheckedEntry[] {
  return inputs.map((input, position) => {
    const parsed = inputSchema.safeParse(input);
    if (!parsed.success) throw new LedgerEntryError(position, problemsOf(parsed.error));
    const e = parsed.data;
    return {
      action: e.action,
      actor: { kind: e.actor.kind, id: e.actor.id },
      subject: e.subject ?? null,
      datasets: e.datasets ?? [],
      consent: e.consent ?? null,
      recipient: e.recipient ?? null,
      purpose: e.purpose ?? null,
      outcome: e.outcome ?? null,
    };
  });
}

/** The ledger's own fields, added inside the append transaction. */
export function stampEntry(checked: CheckedEntry, index: number, time: string): LedgerEntry {
  return { v: 1, index, time, ...checked };
}

/** Checks a decoded leaf. Returns undefined when it is not a well-formed entry. */
export function parseStoredEntry(value: unknown): LedgerEntry | undefined {
  const parsed = entrySchema.safeParse(value);
  return parsed.success ? (parsed.data as LedgerEntry) : undefined;
}
