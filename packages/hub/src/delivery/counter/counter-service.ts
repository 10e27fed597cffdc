// The rules of mode 2 after the package is built, for both sides. The person: see their code, make
// a new one. The clerk: scan a code (own office only), have a confirmation code sent to the person,
// enter it, and then read the records of an open case, save a PDF, close the case. Wrong codes and
// wrong confirmation codes lock the console and the clerk (5 in 15 minutes, for 15 minutes). Every
// step is one transaction with its ledger entry; every state lives in the database.
import { randomUUID } from 'node:crypto';
import type { KeyResolver, PackageData } from '@openmydata/protocol';
import type { Agency } from '../../catalog/repository.ts';
import type { CounterDirectory, ResolvedService } from '../../counter/counter-directory.ts';
import { seal, unseal } from '../../keys/seal.ts';
import type { LedgerEntryInput } from '../../ledger/entry.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { Logger } from '../../log.ts';
import type { Notifier } from '../../notify/index.ts';
import { markDelivered, type RetrievalView } from '../../retrieval/retrieval-repository.ts';
import type { RetrievalService } from '../../retrieval/retrieval-service.ts';
import type { Db } from '../../store/database.ts';
import { checkAgencyPackage } from '../download/check-package.ts';
import { type CodeKeys, newConfirmationCode, readCodeInput } from './counter-code.ts';
import { issueCode } from './counter-delivery.ts';
import { LABELS, openPackage, type PackageSecret, unwrapSecret } from './counter-package.ts';
import * as store from './counter-store.ts';

export const COUNTER_TIMES = {
  /** A code works this long after it is issued. */
  codeMs: 20 * 60_000,
  /** A package waits at most this long for a clerk. */
  packageMs: 8 * 3600_000,
  /** A confirmation code works this long. */
  confirmationMs: 2 * 60_000,
  /** An open case stays readable this long (or until the clerk closes it or signs out). */
  caseMs: 30 * 60_000,
} as const;

export const LOCKOUT = { max: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 } as const;

export interface CounterServiceDeps {
  db: Db;
  ledger: Pick<Ledger, 'commit'>;
  retrievals: Pick<RetrievalService, 'find' | 'findConsent'>;
  directory: CounterDirectory;
  codes: CodeKeys;
  notifier: Notifier;
  /** The keys of an agency, to check its signature at the counter. */
  agencyKeys: (agency: Agency) => KeyResolver;
  publicUrl: string;
  logger: Logger;
  now?: () => Date;
}

/** Who is at the console: the clerk, the console (browser) and the key only their session holds. */
export interface ConsoleActor {
  staffId: string;
  officeId: string;
  consoleId: string;
  sessionKey: Buffer;
}

export interface CodeView {
  retrieval: RetrievalView;
  service: ResolvedService | undefined;
  /** The code to show, while it works. */
  code: { code: string; expiresAt: Date } | undefined;
  /** The package while it waits for a clerk. */
  package: { expiresAt: Date } | undefined;
  /** When a clerk opened it. */
  redeemedAt: Date | undefined;
  receipt: string | undefined;
}

export type ScanResult =
  | { kind: 'locked'; until: Date }
  | { kind: 'refused'; problem: 'empty' | 'too_long' | 'malformed' }
  | { kind: 'unknown' | 'other_office'; left: number }
  | { kind: 'expired' | 'replaced' | 'busy' | 'not_sent' }
  | { kind: 'used'; at: Date | undefined }
  | { kind: 'sent'; redemptionId: string; expiresAt: Date; service: ResolvedService | undefined };

export type ConfirmResult =
  | { kind: 'locked'; until: Date }
  | { kind: 'no_redemption' | 'confirmation_expired' | 'malformed' | 'used' }
  | { kind: 'wrong'; left: number }
  | { kind: 'opened'; caseId: string };

export type Verdict = { ok: true; kid: string; signedAt: string } | { ok: false; code: string; message: string };

export interface CaseItem {
  dataset: string;
  agency: string;
  verdict: Verdict;
  /** The records, only when the signature verified. */
  data: PackageData | undefined;
  /** The agency's PDF, only when the signature verified. */
  pdf: Buffer | undefined;
}

export interface OpenCase {
  id: string;
  serviceId: string;
  service: ResolvedService | undefined;
  createdAt: Date;
  expiresAt: Date;
  items: CaseItem[];
}

interface SealedCase {
  items: Array<{ dataset: string; agency: string; verdict: Verdict; data?: string; pdf?: string }>;
}

export class CounterService {
  private readonly now: () => Date;

  constructor(private readonly deps: CounterServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  // ---- the person ----

  /** The person's own counter retrieval with its code, or undefined for anyone else's. */
  async codeView(retrievalId: string, subjectKey: string, retrievalKey: Buffer | undefined): Promise<CodeView | undefined> {
    const retrieval = await this.deps.retrievals.find(retrievalId);
    if (!retrieval || retrieval.subjectKey !== subjectKey || retrieval.recipient.kind !== 'counter') return undefined;
    const now = this.now();
    const [latest, waiting, consent, service] = await Promise.all([
      store.latestCodeOf(this.deps.db, retrievalId),
      store.findPackageOfRetrieval(this.deps.db, retrievalId, now),
      this.deps.retrievals.findConsent(retrieval.consentId),
      this.deps.directory.service(retrieval.recipient.id),
    ]);
    let code: CodeView['code'];
    if (waiting && latest?.status === 'live' && latest.expiresAt > now && latest.ownerCode && retrievalKey) {
      try {
        code = { code: unseal(retrievalKey, LABELS.ownerCode(retrievalId), latest.ownerCode).toString('utf8'), expiresAt: latest.expiresAt };
      } catch {
        code = undefined;
      }
    }
    return {
      retrieval,
      service,
      code,
      package: waiting ? { expiresAt: waiting.expiresAt } : undefined,
      redeemedAt: retrieval.deliveredAt,
      receipt: consent?.receipt ?? undefined,
    };
  }

  /** A new code for a package still waiting; the old one stops working. Needs the person's retrieval key. */
  async reissue(retrievalId: string, subjectKey: string, retrievalKey: Buffer): Promise<{ code: string; expiresAt: Date } | undefined> {
    const now = this.now();
    const waiting = await store.findPackageOfRetrieval(this.deps.db, retrievalId, now);
    if (!waiting || waiting.subjectKey !== subjectKey) return undefined;
    let secret: PackageSecret;
    try {
      secret = unwrapSecret(retrievalKey, LABELS.owner(retrievalId), waiting.ownerSealed);
    } catch {
      return undefined;
    }
    await this.deps.ledger.commit(async (trx) => {
      await store.replaceLiveCodes(trx, waiting.id);
      return {
        entries: [
          {
            action: 'package_built',
            actor: { kind: 'citizen', id: subjectKey },
            subject: subjectKey,
            datasets: waiting.datasets,
            consent: waiting.consentId,
            recipient: waiting.serviceId,
            outcome: 'code_reissued',
          },
        ],
        value: undefined,
      };
    });
    return issueCode(
      { db: this.deps.db, codes: this.deps.codes, codeTtlMs: COUNTER_TIMES.codeMs },
      { packageId: waiting.id, retrievalId, subjectKey, serviceId: waiting.serviceId, officeId: waiting.officeId },
      secret,
      { retrievalKey, at: now, packageExpiresAt: waiting.expiresAt },
    );
  }

  // ---- the clerk ----

  private lockKeys(actor: Pick<ConsoleActor, 'staffId' | 'consoleId'>): string[] {
    return [`console:${actor.consoleId}`, `staff:${actor.staffId}`];
  }

  /** Until when this console (or this clerk on any console) is locked, if it is. */
  lockedUntil(actor: Pick<ConsoleActor, 'staffId' | 'consoleId'>): Promise<Date | undefined> {
    return store.lockedUntil(this.deps.db, this.lockKeys(actor), this.now());
  }

  /** A supervisor lifts the lock of a clerk of their own office (and of the consoles they used). */
  async liftLock(supervisor: { staffId: string }, clerk: { staffId: string; consoleIds: readonly string[] }): Promise<boolean> {
    return this.deps.ledger.commit(async (trx) => {
      const lifted = await store.liftLockout(trx, [`staff:${clerk.staffId}`, ...clerk.consoleIds.map((c) => `console:${c}`)]);
      return {
        entries:
          lifted > 0 ? [{ action: 'staff_action', actor: { kind: 'staff', id: supervisor.staffId }, recipient: clerk.staffId, outcome: 'lockout_lifted' }] : [],
        value: lifted > 0,
      };
    });
  }

  /** One wrong code: counted, in the ledger, and the lock when it is the fifth. */
  private async failure(actor: ConsoleActor, entry: Omit<LedgerEntryInput, 'action' | 'actor'>): Promise<{ left: number; lockedUntil: Date | undefined }> {
    const now = this.now();
    return this.deps.ledger.commit(async (trx) => {
      const counted = await store.recordFailure(trx, this.lockKeys(actor), LOCKOUT, now);
      const actorOf = { kind: 'staff' as const, id: actor.staffId };
      const entries: LedgerEntryInput[] = [{ action: 'staff_action', actor: actorOf, ...entry }];
      if (counted.lockedUntil) entries.push({ action: 'staff_action', actor: actorOf, recipient: actor.officeId, outcome: 'console_locked' });
      return { entries, value: { left: Math.max(0, LOCKOUT.max - counted.failures), lockedUntil: counted.lockedUntil } };
    });
  }

  private async note(actor: ConsoleActor, entry: Omit<LedgerEntryInput, 'action' | 'actor'>): Promise<void> {
    await this.deps.ledger.commit(async () => ({
      entries: [{ action: 'staff_action', actor: { kind: 'staff', id: actor.staffId }, ...entry }],
      value: undefined,
    }));
  }

  /** A code scanned or typed at a console. */
  async scan(actor: ConsoleActor, input: string): Promise<ScanResult> {
    const locked = await this.lockedUntil(actor);
    if (locked) return { kind: 'locked', until: locked };
    const read = readCodeInput(input);
    if (!read.ok) return { kind: 'refused', problem: read.problem };
    const now = this.now();
    const stretched = await this.deps.codes.stretch(read.code);
    const code = await store.findCode(this.deps.db, stretched.hash);
    if (!code || code.officeId !== actor.officeId) {
      // Guessing is what the lock stops: an unknown code, or another office's, counts.
      const counted = await this.failure(
        actor,
        code ? { subject: code.subjectKey, recipient: actor.officeId, outcome: 'code_other_office' } : { recipient: actor.officeId, outcome: 'code_unknown' },
      );
      if (counted.lockedUntil) return { kind: 'locked', until: counted.lockedUntil };
      return { kind: code ? 'other_office' : 'unknown', left: counted.left };
    }
    const about = { subject: code.subjectKey, recipient: code.serviceId };
    if (code.status === 'used') {
      await this.note(actor, { ...about, outcome: 'code_used' });
      return { kind: 'used', at: code.usedAt };
    }
    if (code.status === 'replaced') {
      await this.note(actor, { ...about, outcome: 'code_replaced' });
      return { kind: 'replaced' };
    }
    const waiting = await store.findPackage(this.deps.db, code.packageId, now);
    if (code.expiresAt <= now || !waiting || !code.wrapped) {
      await this.note(actor, { ...about, outcome: 'code_expired' });
      return { kind: 'expired' };
    }
    const secret = unwrapSecret(stretched.packageKey(code.packageId), LABELS.code(code.packageId), code.wrapped);
    const redemptionId = randomUUID();
    const confirmation = newConfirmationCode();
    const expiresAt = new Date(now.getTime() + COUNTER_TIMES.confirmationMs);
    const claimed = await this.deps.ledger.commit(async (trx) => {
      if (!(await store.claimPackage(trx, waiting.id, redemptionId, expiresAt, now))) {
        return { entries: [{ action: 'staff_action', actor: { kind: 'staff', id: actor.staffId }, ...about, outcome: 'code_busy' }], value: false };
      }
      await store.insertRedemption(
        trx,
        {
          id: redemptionId,
          packageId: waiting.id,
          codeHash: code.codeHash,
          staffId: actor.staffId,
          consoleId: actor.consoleId,
          confirmationHash: this.deps.codes.confirmationHash(redemptionId, confirmation),
          sealed: seal(
            actor.sessionKey,
            LABELS.redemption(redemptionId),
            Buffer.from(JSON.stringify({ key: secret.key.toString('base64url'), notice: secret.notice })),
          ),
          expiresAt,
        },
        now,
      );
      return {
        entries: [
          {
            action: 'staff_action',
            actor: { kind: 'staff', id: actor.staffId },
            ...about,
            datasets: waiting.datasets,
            consent: waiting.consentId,
            outcome: 'confirmation_sent',
          },
        ],
        value: true,
      };
    });
    if (!claimed) return { kind: 'busy' };
    const service = await this.deps.directory.service(code.serviceId);
    const sent = await this.deps.notifier.notify({
      to: secret.notice.to,
      lang: secret.notice.lang,
      kind: 'counter_confirmation',
      at: now,
      datasets: (service?.resolved ?? []).filter((r) => waiting.datasets.includes(r.dataset.id)).map((r) => ({ name: r.dataset.name, agency: r.agency.name })),
      ...(service ? { recipient: this.recipientName(service) } : {}),
      historyUrl: `${this.deps.publicUrl}/history`,
      confirmation: { code: confirmation, validMinutes: COUNTER_TIMES.confirmationMs / 60_000 },
    });
    if (!sent) {
      await this.deps.ledger.commit(async (trx) => {
        await store.dropRedemption(trx, { id: redemptionId, packageId: waiting.id });
        return {
          entries: [{ action: 'staff_action', actor: { kind: 'staff', id: actor.staffId }, ...about, outcome: 'confirmation_not_sent' }],
          value: undefined,
        };
      });
      return { kind: 'not_sent' };
    }
    return { kind: 'sent', redemptionId, expiresAt, service };
  }

  private recipientName(service: ResolvedService): { 'zh-TW': string; en: string } {
    return { 'zh-TW': service.office.name['zh-TW'], en: service.office.name.en };
  }

  /** The confirmation code the person read out: opens the package once, into a case for this clerk. */
  async confirm(actor: ConsoleActor, redemptionId: string, input: string): Promise<ConfirmResult> {
    const redemption = /^[0-9a-f-]{36}$/.test(redemptionId) ? await store.findRedemption(this.deps.db, redemptionId) : undefined;
    if (!redemption || redemption.staffId !== actor.staffId || redemption.consoleId !== actor.consoleId) return { kind: 'no_redemption' };
    const locked = await this.lockedUntil(actor);
    if (locked) {
      await store.dropRedemption(this.deps.db, redemption);
      return { kind: 'locked', until: locked };
    }
    const now = this.now();
    const waiting = await store.findPackage(this.deps.db, redemption.packageId, now);
    const code = await store.findCode(this.deps.db, redemption.codeHash);
    const about = { subject: waiting?.subjectKey ?? code?.subjectKey, recipient: waiting?.serviceId ?? code?.serviceId };
    if (redemption.expiresAt <= now || !waiting) {
      await this.deps.ledger.commit(async (trx) => {
        await store.dropRedemption(trx, redemption);
        return {
          entries: [{ action: 'staff_action', actor: { kind: 'staff', id: actor.staffId }, ...about, outcome: 'confirmation_expired' }],
          value: undefined,
        };
      });
      return { kind: 'confirmation_expired' };
    }
    const typed = input.normalize('NFKC').replace(/\s/g, '');
    if (!/^\d{6}$/.test(typed)) return { kind: 'malformed' };
    if (this.deps.codes.confirmationHash(redemption.id, typed) !== redemption.confirmationHash) {
      const counted = await this.failure(actor, { ...about, outcome: 'confirmation_refused' });
      if (counted.lockedUntil) {
        await store.dropRedemption(this.deps.db, redemption);
        return { kind: 'locked', until: counted.lockedUntil };
      }
      return { kind: 'wrong', left: counted.left };
    }
    // Opened and checked before the transaction: the agencies' keys may need fetching.
    const secret = unwrapSecret(actor.sessionKey, LABELS.redemption(redemption.id), redemption.sealed);
    const ciphertext = await store.packageCiphertext(this.deps.db, waiting.id);
    if (!ciphertext) return { kind: 'used' };
    const caseId = randomUUID();
    const sealedCase = seal(
      actor.sessionKey,
      LABELS.case(caseId),
      Buffer.from(JSON.stringify(await this.verify(openPackage(secret.key, waiting.id, ciphertext)))),
    );
    const opened = await this.deps.ledger.commit(async (trx) => {
      if (!(await store.takePackage(trx, waiting.id, redemption.id))) return { entries: [], value: false };
      await store.markCodesUsed(trx, waiting.id, redemption.codeHash, now);
      await trx.deleteFrom('counter_redemptions').where('id', '=', redemption.id).execute();
      await markDelivered(trx, waiting.retrievalId, now);
      await store.insertCase(trx, {
        id: caseId,
        staffId: actor.staffId,
        officeId: actor.officeId,
        serviceId: waiting.serviceId,
        subjectKey: waiting.subjectKey,
        consentId: waiting.consentId,
        datasets: waiting.datasets,
        sealed: sealedCase,
        createdAt: now,
        expiresAt: new Date(now.getTime() + COUNTER_TIMES.caseMs),
      });
      return {
        entries: [
          {
            action: 'counter_retrieval',
            actor: { kind: 'staff', id: actor.staffId },
            subject: waiting.subjectKey,
            datasets: waiting.datasets,
            consent: waiting.consentId,
            recipient: waiting.serviceId,
            outcome: 'ok',
          },
        ],
        value: true,
      };
    });
    if (!opened) return { kind: 'used' };
    this.sendRetrievalNotice(secret, waiting.serviceId, waiting.datasets, now).catch((error: unknown) =>
      this.deps.logger.warn({ err: error }, 'counter retrieval notice failed'),
    );
    return { kind: 'opened', caseId };
  }

  private async sendRetrievalNotice(secret: PackageSecret, serviceId: string, datasets: readonly string[], at: Date): Promise<void> {
    const service = await this.deps.directory.service(serviceId);
    const named = (service?.resolved ?? []).filter((r) => datasets.includes(r.dataset.id));
    if (named.length === 0) return;
    await this.deps.notifier.notify({
      to: secret.notice.to,
      lang: secret.notice.lang,
      kind: 'counter_retrieval',
      at,
      datasets: named.map((r) => ({ name: r.dataset.name, agency: r.agency.name })),
      ...(service ? { recipient: this.recipientName(service) } : {}),
      historyUrl: `${this.deps.publicUrl}/history`,
    });
  }

  /** Every agency package checked again as anyone holding it would: signature, binding, digests. */
  private async verify(packages: ReturnType<typeof openPackage>): Promise<SealedCase> {
    const snapshot = await this.deps.directory.services();
    const agencies = new Map(snapshot.flatMap((s) => s.resolved.map((r) => [r.agency.id, r.agency] as const)));
    const items = await Promise.all(
      packages.map(async (p) => {
        const agency = agencies.get(p.agency);
        if (!agency)
          return {
            dataset: p.dataset,
            agency: p.agency,
            verdict: { ok: false as const, code: 'agency_unknown', message: 'the agency is not in the catalogue' },
          };
        const check = await checkAgencyPackage(p.archive, { keys: this.deps.agencyKeys(agency), expect: { agency: p.agency, dataset: p.dataset } });
        if (!check.ok) return { dataset: p.dataset, agency: p.agency, verdict: { ok: false as const, code: check.code, message: check.message } };
        const data = check.contents.get('data.json');
        const pdf = check.contents.get('data.pdf');
        return {
          dataset: p.dataset,
          agency: p.agency,
          verdict: { ok: true as const, kid: check.kid, signedAt: check.signedAt },
          ...(data ? { data: Buffer.from(data).toString('utf8') } : {}),
          ...(pdf ? { pdf: Buffer.from(pdf).toString('base64') } : {}),
        };
      }),
    );
    return { items };
  }

  async openCases(actor: Pick<ConsoleActor, 'staffId'>): Promise<store.StoredCase[]> {
    return store.casesOf(this.deps.db, actor.staffId, this.now());
  }

  /** A case of this clerk, opened with their session key; undefined for anyone else's or a gone one. */
  async openCase(actor: Pick<ConsoleActor, 'staffId' | 'sessionKey'>, caseId: string): Promise<OpenCase | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(caseId)) return undefined;
    const found = await store.findCase(this.deps.db, caseId, actor.staffId, this.now());
    if (!found) return undefined;
    let sealed: SealedCase;
    try {
      sealed = JSON.parse(unseal(actor.sessionKey, LABELS.case(caseId), found.sealed).toString('utf8')) as SealedCase;
    } catch {
      return undefined; // another session of the same clerk cannot open it
    }
    return {
      id: found.id,
      serviceId: found.serviceId,
      service: await this.deps.directory.service(found.serviceId),
      createdAt: found.createdAt,
      expiresAt: found.expiresAt,
      items: sealed.items.map((i) => ({
        dataset: i.dataset,
        agency: i.agency,
        verdict: i.verdict,
        data: i.data ? (JSON.parse(i.data) as PackageData) : undefined,
        pdf: i.pdf ? Buffer.from(i.pdf, 'base64') : undefined,
      })),
    };
  }

  /** The agency's PDF of one data set of an open case; the saving is in the ledger. */
  async savePdf(actor: Pick<ConsoleActor, 'staffId' | 'sessionKey'>, caseId: string, dataset: string): Promise<Buffer | undefined> {
    const open = await this.openCase(actor, caseId);
    const item = open?.items.find((i) => i.dataset === dataset);
    if (!open || !item?.pdf) return undefined;
    const found = await store.findCase(this.deps.db, caseId, actor.staffId, this.now());
    await this.deps.ledger.commit(async () => ({
      entries: [
        {
          action: 'staff_action',
          actor: { kind: 'staff', id: actor.staffId },
          subject: found?.subjectKey,
          datasets: [dataset],
          consent: found?.consentId,
          recipient: open.serviceId,
          outcome: 'pdf_saved',
        },
      ],
      value: undefined,
    }));
    return item.pdf;
  }

  /** The clerk is done: the case and what it held are deleted. */
  async finishCase(actor: Pick<ConsoleActor, 'staffId'>, caseId: string): Promise<boolean> {
    const found = /^[0-9a-f-]{36}$/.test(caseId) ? await store.findCase(this.deps.db, caseId, actor.staffId, this.now()) : undefined;
    if (!found) return false;
    return this.deps.ledger.commit(async (trx) => {
      const deleted = await store.deleteCase(trx, caseId, actor.staffId);
      return {
        entries: deleted
          ? [
              {
                action: 'staff_action',
                actor: { kind: 'staff', id: actor.staffId },
                subject: found.subjectKey,
                datasets: found.datasets,
                consent: found.consentId,
                recipient: found.serviceId,
                outcome: 'case_done',
              },
            ]
          : [],
        value: deleted,
      };
    });
  }

  /** Signing out closes the clerk's cases: what they held cannot be opened without that session anyway. */
  closeCasesOf(staffId: string): Promise<number> {
    return store.deleteCasesOf(this.deps.db, staffId);
  }

  sweep(): Promise<number> {
    return store.purgeCounterRows(this.deps.db, this.now(), LOCKOUT.windowMs);
  }
}
