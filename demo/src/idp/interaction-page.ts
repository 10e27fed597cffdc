// The mock IdP's pages: server-rendered HTML, Traditional Chinese first with English alongside,
// usable without JavaScript (there is none), every control labelled, errors announced and tied to
// the field they are about.
import { type Bilingual, both, demoPage, escapeHtml, styleHash } from '../demo-page.ts';

export type { Bilingual };

export type SignInField = 'national_id' | 'confirmation_code';

export interface SignInPageModel {
  uid: string;
  clientName: string;
  confirmationCode: string;
  /** What the person typed, shown again after an error so they can correct it. */
  nationalId?: string;
  error?: { field: SignInField | null; message: Bilingual };
  /** Synthetic demo citizens to try, listed as a hint. */
  demoIds: readonly { nationalId: string; label: string }[];
}

const STYLES = `
:root{color-scheme:light;font-family:"Noto Sans TC","Noto Sans CJK TC","PingFang TC","Microsoft JhengHei",system-ui,sans-serif;line-height:1.6;color:#1b1b1b;background:#f3f5f7}
body{margin:0}
header,main,footer{max-width:34rem;margin:0 auto;padding:1rem 1.25rem}
header{border-bottom:4px solid #00557f}
.brand{font-size:1.25rem;font-weight:700;margin:0;color:#00405f}
.demo{margin:.5rem 0 0;padding:.5rem .75rem;background:#fff4ce;border:1px solid #8a6d00;color:#3d3000}
main{background:#fff;margin-top:1rem;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.4rem;line-height:1.4}
.en{display:block;color:#3a3a3a;font-size:.95em}
.code{font-size:2.2rem;font-weight:700;letter-spacing:.3em;font-variant-numeric:tabular-nums;margin:.25rem 0 1rem;color:#00405f}
label{display:block;font-weight:700;margin-top:1rem}
.hint{margin:.25rem 0;color:#3a3a3a;font-size:.95rem}
input{font:inherit;font-size:1.15rem;width:100%;box-sizing:border-box;padding:.55rem .65rem;border:2px solid #595959;border-radius:4px}
input[aria-invalid=true]{border-color:#b00020}
.error{border-left:6px solid #b00020;background:#fdecee;padding:.6rem .8rem;color:#5c0011;margin:1rem 0}
.field-error{color:#b00020;font-weight:700;margin:.25rem 0}
button{font:inherit;font-size:1.05rem;margin-top:1.25rem;padding:.65rem 1.2rem;border-radius:4px;border:2px solid #00557f;cursor:pointer}
.primary{background:#00557f;color:#fff;width:100%}
button .en,.field-error .en,.error .en{color:inherit}
.secondary{background:#fff;color:#00405f}
:focus-visible{outline:3px solid #c75000;outline-offset:2px}
details{margin-top:1.5rem}
code{font-size:1.05em}
footer{font-size:.9rem;color:#3a3a3a}
`;

/** For the Content-Security-Policy: the one inline style block, allowed by its hash. */
export const STYLE_HASH = styleHash(STYLES);

function layout(title: Bilingual, body: string): string {
  return demoPage({
    title,
    brand: { zh: '模擬行動身分識別', en: 'Mock mobile ID' },
    notice: { zh: 'OpenMyData 示範用的模擬身分提供者，不是政府的正式服務。', en: "OpenMyData's demo identity provider, not a government service." },
    styles: STYLES,
    body,
  });
}

export function renderSignInPage(model: SignInPageModel): string {
  const { uid, error } = model;
  const action = `/interaction/${encodeURIComponent(uid)}`;
  const fieldError = (field: SignInField) => (error?.field === field ? `<p class="field-error" id="${field}-error">${both(error.message)}</p>` : '');
  const invalid = (field: SignInField) => (error?.field === field ? ' aria-invalid="true"' : '');
  const describedBy = (field: SignInField) => `${field}-hint${error?.field === field ? ` ${field}-error` : ''}`;
  const summary = error
    ? `<div class="error" role="alert" id="error-summary"><p><strong>${both({ zh: '無法登入', en: 'Could not sign in' })}</strong></p><p>${both(error.message)}</p></div>`
    : '';
  const code = `${model.confirmationCode.slice(0, 3)} ${model.confirmationCode.slice(3)}`;
  const demo = model.demoIds.map((d) => `<li><code>${escapeHtml(d.nationalId)}</code> ${escapeHtml(d.label)}</li>`).join('');
  return layout(
    { zh: '以行動身分識別登入', en: 'Sign in with mobile ID' },
    `<h1>${both({ zh: `${model.clientName} 請您以行動身分識別登入`, en: `${model.clientName} asks you to sign in with your mobile ID` })}</h1>
${summary}
<p>${both({
      zh: '請開啟手機上的行動身分識別 App，確認 App 顯示的確認碼與下方相同，再輸入您的身分證統一編號與確認碼。',
      en: 'Open the mobile ID app on your phone, check that it shows the same confirmation code as below, then enter your national ID number and the code.',
    })}</p>
<p>${both({ zh: '本次確認碼', en: 'Confirmation code for this sign-in' })}</p>
<p class="code">${escapeHtml(code)}</p>
<form method="post" action="${action}/login" novalidate>
<label for="national_id">${both({ zh: '身分證統一編號', en: 'National ID number' })}</label>
<p class="hint" id="national_id-hint">${both({ zh: '1 個英文字母加 9 個數字，例如 A123456789；居留證號亦可。', en: 'One letter and nine digits, e.g. A123456789; resident certificate numbers work too.' })}</p>
${fieldError('national_id')}
<input id="national_id" name="national_id" type="text" required maxlength="10" autocomplete="off" autocapitalize="characters" spellcheck="false" value="${escapeHtml(model.nationalId ?? '')}" aria-describedby="${describedBy('national_id')}"${invalid('national_id')}>
<label for="confirmation_code">${both({ zh: 'App 顯示的 6 位數確認碼', en: '6-digit code shown in the app' })}</label>
<p class="hint" id="confirmation_code-hint">${both({ zh: '與上方的確認碼相同。', en: 'The same as the confirmation code above.' })}</p>
${fieldError('confirmation_code')}
<input id="confirmation_code" name="confirmation_code" type="text" required inputmode="numeric" maxlength="7" autocomplete="one-time-code" aria-describedby="${describedBy('confirmation_code')}"${invalid('confirmation_code')}>
<button type="submit" class="primary">${both({ zh: '在 App 中確認並登入', en: 'Confirm in the app and sign in' })}</button>
</form>
<form method="post" action="${action}/abort">
<button type="submit" class="secondary">${both({ zh: '取消，不登入', en: 'Cancel, do not sign in' })}</button>
</form>
<details>
<summary>${both({ zh: '示範用身分證統一編號', en: 'Demo national IDs' })}</summary>
<ul>${demo}</ul>
</details>`,
  );
}

export function renderMessagePage(title: Bilingual, message: Bilingual): string {
  return layout(title, `<h1>${both(title)}</h1>\n<p>${both(message)}</p>`);
}
