// Bad input at the counter, each answered with a clear page in the console's language and nothing
// left behind: garbage and over-long input, another office's code, an expired code, a used code,
// five wrong confirmation codes (the console and the clerk are locked; the lock lifts after 15
// minutes of a clock the test moves), a confirmation code after 2 minutes, a clerk whose account was
// disabled, and two consoles redeeming one code at once (exactly one goes on).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { disableStaffAccount } from '../../src/counter/staff-admin.ts';
import { type PortalClient, signedIn, untilFinished } from '../helpers/portal-client.ts';
import { ConsoleClient, type CounterHub, codeOnPage, confirmationCodeIn, makeStaff, rows, startCounterHub } from './counter-helpers.ts';

const EMAIL = 'counter.refusals@example.test';
let h: CounterHub;
let person: PortalClient;
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

before(async () => {
  h = await startCounterHub({ now });
  person = await signedIn(h.t.hub, h.t.url, 'A123456789', 2);
});
after(async () => {
  await h?.stop();
});

/** The person prepares a counter package for a service and gets its code. */
async function newCode(service = 'taoyuan-low-income'): Promise<{ code: string; path: string }> {
  const res = await person.post(`/counters/services/${service}/consent`, { email: EMAIL, decision: 'agree' });
  assert.equal(res.status, 303, await res.text());
  const path = res.headers.get('location') ?? '';
  await untilFinished(person, path);
  return { code: codeOnPage(await (await person.get(path)).text()), path };
}

async function nothingLeft(): Promise<void> {
  assert.equal(await rows(h.t.hub, 'counter_redemptions'), 0, 'no redemption is left open');
  const claimed = await h.t.hub.db.selectFrom('counter_packages').select('id').where('claim_id', 'is not', null).execute();
  assert.deepEqual(claimed, [], 'no package stays claimed');
}

async function failures(): Promise<number> {
  const found = await h.t.hub.db
    .selectFrom('counter_failures')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(found.n);
}

let staffCount = 0;
async function clerkAt(office = 'taoyuan-social', lang = 'zh-TW') {
  staffCount += 1;
  const login = await makeStaff(h.t.hub, `clerk.refusals.${staffCount}`, office);
  const console = new ConsoleClient(h.t.url);
  await console.signedIn(login, now(), lang);
  return { login, console };
}

test('garbage and over-long input: refused with a clear message in the console’s language, counted nowhere, nothing left', async () => {
  const { console } = await clerkAt();
  const before = await failures();
  for (const [input, message] of [
    ['', /請輸入或掃描條碼號碼/],
    ['ABC', /這不是有效的條碼號碼/],
    ['<script>alert(1)</script>', /這不是有效的條碼號碼/],
    ['條碼號碼一二三四', /這不是有效的條碼號碼/],
    ['A'.repeat(65), /輸入內容過長/],
    ['Z'.repeat(10_000), /輸入內容過長/],
  ] as const) {
    const res = await console.scan(input);
    assert.equal(res.status, 400, input.slice(0, 20));
    assert.match(res.text, message);
    assert.ok(!res.text.includes('<script>alert'), 'the input is not echoed as markup');
  }
  const english = await clerkAt('taoyuan-social', 'en');
  const res = await english.console.scan('!!!!????');
  assert.equal(res.status, 400);
  assert.match(res.text, /That is not a valid code \(8 letters and digits\)/);
  assert.match(res.text, /<html lang="en">/);
  assert.equal(await failures(), before, 'malformed input is no guess and is not counted');
  await nothingLeft();
});

test('another office’s code is refused and counted; the package stays as it was', async () => {
  const { code } = await newCode();
  const { console } = await clerkAt('hualien-social');
  const before = await failures();
  const res = await console.scan(code);
  assert.equal(res.status, 403);
  assert.match(res.text, /此條碼不是申請本機關的服務，無法在此調閱/);
  assert.match(res.text, /還可嘗試 4 次/);
  assert.equal(await failures(), before + 2, 'counted for the console and for the clerk');
  await nothingLeft();
  const own = await clerkAt('taoyuan-social');
  assert.equal((await own.console.scan(code)).status, 200, 'the right office can still redeem it');
});

test('five wrong confirmation codes lock the console and the clerk; the lock lifts after 15 minutes', async () => {
  await h.t.hub.db.deleteFrom('counter_redemptions').execute();
  await h.t.hub.db.updateTable('counter_packages').set({ claim_id: null, claimed_until: null }).execute();
  const { code } = await newCode();
  const { login, console } = await clerkAt();
  const scanned = await console.scan(code);
  assert.equal(scanned.status, 200, scanned.text);
  const redemption = ConsoleClient.redemptionOf(scanned.text);
  const right = confirmationCodeIn(h.mail, EMAIL);
  const wrong = right === '000000' ? '111111' : '000000';
  for (const left of [4, 3, 2, 1]) {
    const res = await console.confirm(redemption, wrong);
    assert.equal(res.status, 422);
    assert.match(res.text, new RegExp(`確認碼錯誤。（還可嘗試 ${left} 次）`));
  }
  const locked = await console.confirm(redemption, wrong);
  assert.equal(locked.status, 423);
  assert.match(locked.text, /此櫃檯已暫時鎖定/);
  await nothingLeft();
  assert.equal((await console.confirm(redemption, right)).status, 409, 'the redemption ended with the lock: the right code does nothing now');
  const whileLocked = await console.scan(code);
  assert.equal(whileLocked.status, 423, 'scanning is refused while locked');
  // The same browser (its console cookie), another clerk.
  const other = await makeStaff(h.t.hub, 'clerk.refusals.same-console', 'taoyuan-social');
  const consoleCookie = console.cookie('omd_console');
  assert.ok(consoleCookie);
  const shared = new ConsoleClient(h.t.url);
  shared.setCookie('omd_console', consoleCookie);
  await shared.signedIn(other, now());
  assert.equal((await shared.scan(code)).status, 423, 'that console is locked for every clerk');
  const elsewhere = new ConsoleClient(h.t.url);
  offsetMs += 31_000; // a fresh TOTP step for the locked clerk
  await elsewhere.signedIn(login, now());
  assert.equal((await elsewhere.scan(code)).status, 423, 'and the clerk is locked on any console');
  const english = await elsewhere.get('/console?lang=en');
  assert.equal(english.status, 423);
  assert.match(english.text, /Five wrong codes within 15 minutes: to stop code guessing, this console and your account are locked until/);

  offsetMs += 15 * 60_000;
  const later = new ConsoleClient(h.t.url);
  await later.signedIn(login, now());
  const again = await later.scan(code);
  assert.equal(again.status, 200, 'the lock has lifted');
  assert.match(again.text, /請民眾告知確認碼/);
  await later.confirm(ConsoleClient.redemptionOf(again.text), confirmationCodeIn(h.mail, EMAIL));
});

test('a confirmation code after 2 minutes is refused; the code can be scanned again for a new one', async () => {
  const { code } = await newCode();
  const { console } = await clerkAt();
  const scanned = await console.scan(code);
  const redemption = ConsoleClient.redemptionOf(scanned.text);
  const confirmation = confirmationCodeIn(h.mail, EMAIL);
  offsetMs += 2 * 60_000 + 1000;
  const late = await console.confirm(redemption, confirmation);
  assert.equal(late.status, 410);
  assert.match(late.text, /確認碼已超過 2 分鐘而失效/);
  await nothingLeft();
  const again = await console.scan(code);
  assert.equal(again.status, 200);
  const fresh = confirmationCodeIn(h.mail, EMAIL);
  const opened = await console.confirm(ConsoleClient.redemptionOf(again.text), fresh);
  assert.equal(opened.status, 303);
});

test('an expired code is refused; the person can make a new one that works', async () => {
  const { code, path } = await newCode();
  offsetMs += 20 * 60_000 + 1000;
  const { console } = await clerkAt();
  const res = await console.scan(code);
  assert.equal(res.status, 410);
  assert.match(res.text, /此條碼已逾時（20 分鐘）/);
  await nothingLeft();
  const page = await (await person.get(path)).text();
  assert.match(page, /此條碼已超過 20 分鐘而失效/);
  const reissued = await person.post(`${path}/reissue`, {});
  const fresh = codeOnPage(await (await person.get(reissued.headers.get('location') ?? '')).text());
  assert.equal((await console.scan(fresh)).status, 200);
});

test('a used code is refused, saying when it was used', async () => {
  await h.t.hub.db.deleteFrom('counter_redemptions').execute();
  await h.t.hub.db.updateTable('counter_packages').set({ claim_id: null, claimed_until: null }).execute();
  const { code } = await newCode();
  const { console } = await clerkAt();
  const scanned = await console.scan(code);
  await console.confirm(ConsoleClient.redemptionOf(scanned.text), confirmationCodeIn(h.mail, EMAIL));
  const again = await console.scan(code);
  assert.equal(again.status, 410);
  assert.match(again.text, /此條碼已於 .+ 調閱過，資料已刪除，無法再次調閱/);
  await nothingLeft();
});

test('a clerk whose account is disabled is signed out at once and cannot sign in', async () => {
  const { login, console } = await clerkAt();
  await disableStaffAccount(h.t.hub.db, login.id, true);
  const next = await console.get('/console');
  assert.equal(next.status, 303);
  assert.equal(next.location, '/console/sign-in?notice=ended');
  offsetMs += 31_000;
  const refused = await console.signIn(login, now());
  assert.equal(refused.status, 403);
  assert.match(refused.text, /此帳號已停用，請洽系統管理者/);
  assert.equal(console.cookie('omd_staff'), undefined, 'no staff session');
  const scan = await console.scan('ABCD2345');
  assert.equal(scan.status, 303, 'nothing is served without a session');
});

test('two consoles redeeming one code at once: exactly one goes on', async () => {
  await h.t.hub.db.deleteFrom('counter_redemptions').execute();
  await h.t.hub.db.updateTable('counter_packages').set({ claim_id: null, claimed_until: null }).execute();
  const { code } = await newCode();
  const a = await clerkAt();
  const b = await clerkAt();
  const sent = h.mail.messages().length;
  const results = await Promise.all([a.console.scan(code), b.console.scan(code)]);
  assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
  const loser = results.find((r) => r.status === 409);
  assert.match(loser?.text ?? '', /此條碼正由另一個櫃檯調閱中/);
  assert.equal(h.mail.messages().length, sent + 1, 'one confirmation code is sent');
  const winner = results[0]?.status === 200 ? a : b;
  const won = results.find((r) => r.status === 200);
  const opened = await winner.console.confirm(ConsoleClient.redemptionOf(won?.text ?? ''), confirmationCodeIn(h.mail, EMAIL));
  assert.equal(opened.status, 303);
  const other = winner === a ? b : a;
  assert.equal((await other.console.scan(code)).status, 410, 'and after it, the code is used');
});
