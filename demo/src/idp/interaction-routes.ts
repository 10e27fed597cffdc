// The mock IdP's own pages, where oidc-provider hands a sign-in over to "the mobile ID app":
//   GET  /interaction/:uid         the sign-in page (or an automatic consent, see below)
//   POST /interaction/:uid/login   national ID + confirmation code -> signed in, consent granted
//   POST /interaction/:uid/abort   the person cancels -> access_denied back to the relying party
// Consent is granted automatically: the only relying parties are the ones registered in advance
// (the hub), and asking for the national ID is what they are registered for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkPersonIdentifier } from '@openmydata/protocol';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import type { AccountDirectory, IdpAccount } from './accounts.ts';
import { LOA_MOBILE_ID } from './claims.ts';
import type { ConfirmationCodes } from './confirmation-code.ts';
import { type Bilingual, renderMessagePage, renderSignInPage, STYLE_HASH, type SignInField } from './interaction-page.ts';

export interface InteractionDeps {
  provider: Provider;
  accounts: AccountDirectory;
  codes: ConfirmationCodes;
  clientName(clientId: string): string;
  supportedScopes: readonly string[];
  demoIds: readonly { nationalId: string; label: string }[];
}

const MAX_FORM_BYTES = 4096;

const MESSAGES = {
  expired: {
    title: { zh: '登入要求已失效', en: 'This sign-in request is no longer valid' },
    message: {
      zh: '這次登入要求已逾時或無效。請回到原本的網站重新開始登入。',
      en: 'This sign-in request has expired or is not valid. Go back to the website you came from and start again.',
    },
  },
  notFound: {
    title: { zh: '找不到網頁', en: 'Page not found' },
    message: { zh: '這個網址不存在。', en: 'There is no page at this address.' },
  },
  methodNotAllowed: {
    title: { zh: '不支援此操作', en: 'This action is not supported' },
    message: { zh: '請使用頁面上的按鈕操作。', en: 'Please use the buttons on the page.' },
  },
  tooLarge: {
    title: { zh: '送出的內容過大', en: 'The form is too large' },
    message: { zh: '請回到上一頁重新輸入。', en: 'Go back and fill in the form again.' },
  },
  broken: {
    title: { zh: '系統發生錯誤', en: 'Something went wrong' },
    message: { zh: '請稍後回到原本的網站重新開始登入。', en: 'Please go back to the website you came from and try again later.' },
  },
  idShape: {
    zh: '身分證統一編號應為 1 個英文字母加 9 個數字，例如 A123456789。',
    en: 'A national ID number is one letter followed by nine digits, for example A123456789.',
  },
  idChecksum: {
    zh: '這個身分證統一編號的檢查碼不正確，請再核對一次。',
    en: 'The check digit of this national ID number is wrong. Please check the number again.',
  },
  codeMismatch: {
    zh: '確認碼不符。請輸入 App 與本頁顯示的 6 位數確認碼。',
    en: 'The confirmation code does not match. Enter the 6 digits shown in the app and on this page.',
  },
  notRegistered: {
    zh: '這個身分證統一編號尚未啟用行動身分識別，無法在此登入。',
    en: 'This national ID number has no mobile ID registered, so it cannot sign in here.',
  },
} as const satisfies Record<string, Bilingual | { title: Bilingual; message: Bilingual }>;

function setPageHeaders(res: ServerResponse): void {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', `default-src 'none'; style-src '${STYLE_HASH}'; base-uri 'none'; frame-ancestors 'none'`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  setPageHeaders(res);
  res.statusCode = status;
  res.end(html);
}

function sendMessage(res: ServerResponse, status: number, page: { title: Bilingual; message: Bilingual }): void {
  sendHtml(res, status, renderMessagePage(page.title, page.message));
}

class FormTooLarge extends Error {}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new FormTooLarge();
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The interaction this request belongs to, or undefined when its cookie is missing, expired or for another uid. */
async function loadInteraction(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, uid: string): Promise<Interaction | undefined> {
  try {
    const details = await deps.provider.interactionDetails(req, res);
    return details.uid === uid ? details : undefined;
  } catch {
    return undefined;
  }
}

function grantedScope(deps: InteractionDeps, details: Interaction): string {
  const requested = (details.params.scope ?? '').split(' ');
  return requested.filter((s) => deps.supportedScopes.includes(s)).join(' ');
}

async function grantConsent(deps: InteractionDeps, details: Interaction, accountId: string): Promise<string> {
  const clientId = details.params.client_id ?? '';
  const grant = new deps.provider.Grant({ accountId, clientId });
  grant.addOIDCScope(grantedScope(deps, details));
  return grant.save();
}

function signInPage(
  deps: InteractionDeps,
  details: Interaction,
  extra: { nationalId?: string; error?: { field: SignInField | null; message: Bilingual } } = {},
): string {
  return renderSignInPage({
    uid: details.uid,
    clientName: deps.clientName(details.params.client_id ?? ''),
    confirmationCode: deps.codes.codeFor(details.uid),
    demoIds: deps.demoIds,
    ...extra,
  });
}

async function showInteraction(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  const details = await loadInteraction(deps, req, res, uid);
  if (!details) return sendMessage(res, 400, MESSAGES.expired);
  if (details.prompt.name === 'login') return sendHtml(res, 200, signInPage(deps, details));
  if (details.prompt.name === 'consent' && details.session) {
    const grantId = await grantConsent(deps, details, details.session.accountId);
    return deps.provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return sendMessage(res, 400, MESSAGES.expired);
}

type LoginStep = { ok: true; account: IdpAccount } | { ok: false; status: number; field: SignInField | null; message: Bilingual; nationalId: string };

/** The checks of a sign-in, in order: identifier shape and checksum, the app's confirmation, a known citizen. */
function checkLogin(deps: InteractionDeps, uid: string, form: URLSearchParams): LoginStep {
  const typed = (form.get('national_id') ?? '').trim().slice(0, 20);
  const checked = checkPersonIdentifier(typed);
  if (!checked.ok) {
    const message = checked.reason === 'shape' ? MESSAGES.idShape : MESSAGES.idChecksum;
    return { ok: false, status: 400, field: 'national_id', message, nationalId: typed };
  }
  if (!deps.codes.matches(uid, form.get('confirmation_code') ?? '')) {
    return { ok: false, status: 400, field: 'confirmation_code', message: MESSAGES.codeMismatch, nationalId: checked.value };
  }
  const account = deps.accounts.byNationalId(checked.value);
  if (!account) return { ok: false, status: 403, field: 'national_id', message: MESSAGES.notRegistered, nationalId: checked.value };
  return { ok: true, account };
}

async function submitLogin(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  const details = await loadInteraction(deps, req, res, uid);
  if (details?.prompt.name !== 'login') return sendMessage(res, 400, MESSAGES.expired);
  const step = checkLogin(deps, uid, await readForm(req));
  if (!step.ok) {
    return sendHtml(res, step.status, signInPage(deps, details, { nationalId: step.nationalId, error: { field: step.field, message: step.message } }));
  }
  const { accountId } = step.account;
  const grantId = await grantConsent(deps, details, accountId);
  await deps.provider.interactionFinished(
    req,
    res,
    // Not remembered: every relying-party sign-in goes through the app again, and no lasting cookie is left behind.
    { login: { accountId, acr: LOA_MOBILE_ID, amr: ['mobile'], remember: false }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

async function abort(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  const details = await loadInteraction(deps, req, res, uid);
  if (!details) return sendMessage(res, 400, MESSAGES.expired);
  await deps.provider.interactionFinished(
    req,
    res,
    { error: 'access_denied', error_description: 'The person cancelled the sign-in.' },
    { mergeWithLastSubmission: false },
  );
}

/** Handles /interaction/... requests; answers false for every other path so oidc-provider can take them. */
export async function handleInteraction(deps: InteractionDeps, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  if (!pathname.startsWith('/interaction/')) return false;
  const match = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/login|\/abort)?\/?$/.exec(pathname);
  try {
    const uid = match?.[1];
    const action = match?.[2];
    if (uid === undefined) sendMessage(res, 404, MESSAGES.notFound);
    else if (req.method === 'GET' && action === undefined) await showInteraction(deps, req, res, uid);
    else if (req.method === 'POST' && action === '/login') await submitLogin(deps, req, res, uid);
    else if (req.method === 'POST' && action === '/abort') await abort(deps, req, res, uid);
    else sendMessage(res, 405, MESSAGES.methodNotAllowed);
  } catch (error) {
    if (res.headersSent) return true;
    if (error instanceof FormTooLarge) sendMessage(res, 413, MESSAGES.tooLarge);
    else {
      // The error may mention the interaction but never what the person typed; log its name and message only.
      process.stderr.write(`mock IdP interaction failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
      sendMessage(res, 500, MESSAGES.broken);
    }
  }
  return true;
}
