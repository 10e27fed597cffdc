// The demo's two online services (mode 3) and what each does with the verified records: a bank's
// loan pre-screening and a scholarship application. Their rules are made up for the demo; they
// only read records whose agency signature the SDK verified.
import { type Delivery, recordsOf } from '@openmydata/service-sdk';
import type { Bilingual } from '../demo-page.ts';

export interface Assessment {
  /** The outcome in one line. */
  verdict: Bilingual;
  /** How the service got there, from the records. */
  reasons: Bilingual[];
  /** True when the outcome is favourable. */
  favourable: boolean;
}

export interface DemoService {
  /** The service id in the hub's registry. */
  id: string;
  clientId: string;
  /** Offset of its port from the hub's (npm start: hub+1, hub+2). */
  portOffset: number;
  provider: Bilingual;
  name: Bilingual;
  intro: Bilingual;
  purpose: Bilingual;
  retentionDays: number;
  datasets: Array<{ id: string; name: Bilingual }>;
  assess(delivery: Delivery): Assessment;
}

const twd = (n: number) => `NT$ ${Math.round(n).toLocaleString('en-US')}`;
const REFERENCE = new Date();

interface IncomeRecord {
  tax_year: number;
  payer_name: string;
  income_type: string;
  amount: number;
}
interface InsuranceRecord {
  employer_name: string;
  start_date: string;
  end_date: string | null;
  insured_salary: number;
}
interface PropertyRecord {
  category: string;
  assessed_value: number;
}
interface HouseholdRecord {
  name: string;
  relationship: string;
  birth_date: string;
}
interface LowIncomeRecord {
  category: string;
  valid_from: string;
  valid_to: string;
  status: string;
}

function monthsSince(date: string): number {
  const start = new Date(date);
  return (REFERENCE.getFullYear() - start.getFullYear()) * 12 + (REFERENCE.getMonth() - start.getMonth());
}

export const BANK: DemoService = {
  id: 'loan-prescreen',
  clientId: 'demo-bank',
  portOffset: 1,
  provider: { zh: '示範商業銀行', en: 'Demo Commercial Bank' },
  name: { zh: '信用貸款線上預審', en: 'Personal loan pre-screening' },
  intro: {
    zh: '線上申請信用貸款，不必再跑各機關申請證明：經您同意，我們透過 OpenMyData 直接取得您的所得、勞保與財產資料，幾秒內告訴您預審結果。',
    en: 'Apply for a personal loan without fetching certificates yourself: with your consent we receive your income, labour insurance and property records through OpenMyData and pre-screen you in seconds.',
  },
  purpose: { zh: '信用貸款申請之收入、就業與財力審核', en: 'To assess income, employment and assets for a personal loan application' },
  retentionDays: 90,
  datasets: [
    { id: 'income', name: { zh: '個人所得資料', en: 'Income by year' } },
    { id: 'labour-insurance', name: { zh: '勞保投保資料', en: 'Labour insurance history' } },
    { id: 'property', name: { zh: '財產資料', en: 'Property' } },
  ],
  assess(delivery) {
    const income = recordsOf<IncomeRecord>(delivery, 'income');
    const jobs = recordsOf<InsuranceRecord>(delivery, 'labour-insurance');
    const property = recordsOf<PropertyRecord>(delivery, 'property');
    const latestYear = Math.max(0, ...income.map((r) => Number(r.tax_year)));
    const annual = income.filter((r) => Number(r.tax_year) === latestYear).reduce((sum, r) => sum + Number(r.amount), 0);
    const current = jobs.find((j) => !j.end_date);
    const months = current ? monthsSince(current.start_date) : 0;
    const assets = property.reduce((sum, r) => sum + Number(r.assessed_value), 0);
    const reasons: Bilingual[] = [
      { zh: `${latestYear || '—'} 年度所得合計 ${twd(annual)}`, en: `Income in ${latestYear || '—'}: ${twd(annual)}` },
      current
        ? {
            zh: `目前投保於「${current.employer_name}」${months} 個月，月投保薪資 ${twd(current.insured_salary)}`,
            en: `Insured with ${current.employer_name} for ${months} months, monthly insured salary ${twd(current.insured_salary)}`,
          }
        : { zh: '目前沒有勞保投保紀錄', en: 'Not currently insured under labour insurance' },
      { zh: `名下財產價值合計 ${twd(assets)}（${property.length} 筆）`, en: `Assets registered: ${twd(assets)} (${property.length} items)` },
    ];
    if (!current || months < 6 || annual < 300_000) {
      return {
        favourable: false,
        verdict: { zh: '無法線上預審通過，歡迎臨櫃洽談。', en: 'We cannot pre-approve online; please talk to us at a branch.' },
        reasons: [
          ...reasons,
          { zh: '線上預審需在職滿 6 個月且年所得達 NT$ 300,000。', en: 'Online pre-approval needs 6 months in the current job and NT$ 300,000 a year.' },
        ],
      };
    }
    const limit = Math.min(current.insured_salary * 22, annual * 1.5) + Math.min(assets * 0.1, 500_000);
    return {
      favourable: true,
      verdict: { zh: `預審通過：可申貸上限約 ${twd(limit)}。`, en: `Pre-approved: you may borrow up to about ${twd(limit)}.` },
      reasons: [
        ...reasons,
        {
          zh: '上限 = 月投保薪資 22 倍（不超過年所得 1.5 倍）+ 財產價值一成（至多 50 萬）。',
          en: 'Limit = 22 × monthly insured salary (at most 1.5 × annual income) + 10% of assets (at most NT$ 500,000).',
        },
      ],
    };
  },
};

export const SCHOLARSHIP: DemoService = {
  id: 'scholarship-application',
  clientId: 'demo-scholarship-fund',
  portOffset: 2,
  provider: { zh: '示範教育基金會', en: 'Demo Education Foundation' },
  name: { zh: '清寒學生獎學金申請', en: 'Scholarship for students from low-income households' },
  intro: {
    zh: '申請清寒學生獎學金，不必再檢附戶籍謄本與低收入戶證明影本：經您同意，我們透過 OpenMyData 直接取得全戶戶籍與低收入戶證明，立即告訴您是否符合資格。',
    en: 'Apply for our scholarship without copies of your household register or low-income certificate: with your consent we receive both through OpenMyData and tell you at once whether you qualify.',
  },
  purpose: { zh: '審核獎學金申請人之家庭人口與低收入戶資格', en: 'To check the household and low-income status of a scholarship applicant' },
  retentionDays: 365,
  datasets: [
    { id: 'household-whole', name: { zh: '全戶戶籍資料', en: 'Household registration (whole household)' } },
    { id: 'low-income', name: { zh: '低收入戶證明', en: 'Low-income household certificate' } },
  ],
  assess(delivery) {
    const members = recordsOf<HouseholdRecord>(delivery, 'household-whole');
    const certificates = recordsOf<LowIncomeRecord>(delivery, 'low-income');
    const valid = certificates.find((c) => c.status === '有效');
    const reasons: Bilingual[] = [
      { zh: `全戶共 ${members.length} 人`, en: `${members.length} people in the household` },
      valid
        ? {
            zh: `持有有效的${valid.category}證明（${valid.valid_from} 至 ${valid.valid_to}）`,
            en: `Holds a valid certificate: ${valid.category} (${valid.valid_from} to ${valid.valid_to})`,
          }
        : {
            zh: `沒有有效的低收入戶或中低收入戶證明（${certificates.length} 筆已失效或查無資料）`,
            en: `No valid low-income certificate (${certificates.length} expired or none)`,
          },
    ];
    if (!valid) return { favourable: false, reasons, verdict: { zh: '不符合本獎學金資格。', en: 'You do not qualify for this scholarship.' } };
    const award = valid.category.includes('中低') ? 10_000 : 20_000;
    return {
      favourable: true,
      reasons: [
        ...reasons,
        { zh: '低收入戶每學期 NT$ 20,000，中低收入戶 NT$ 10,000。', en: 'Low-income households: NT$ 20,000 a term; lower-middle income: NT$ 10,000.' },
      ],
      verdict: { zh: `符合資格：每學期獎學金 ${twd(award)}。`, en: `You qualify: ${twd(award)} a term.` },
    };
  },
};

export const DEMO_SERVICES: readonly DemoService[] = [BANK, SCHOLARSHIP];

/** The service registry entry of a demo service running at baseUrl (keys at its jwks_uri). */
export function registryEntry(service: DemoService, baseUrl: string) {
  return {
    client_id: service.clientId,
    name: { 'zh-TW': service.provider.zh, en: service.provider.en },
    jwks_uri: `${baseUrl}/.well-known/jwks.json`,
    redirect_uris: [`${baseUrl}/callback`],
    services: [
      {
        id: service.id,
        name: { 'zh-TW': service.name.zh, en: service.name.en },
        start_url: `${baseUrl}/`,
        datasets: service.datasets.map((d) => d.id),
        purpose: { 'zh-TW': service.purpose.zh, en: service.purpose.en },
        retention_days: service.retentionDays,
        privacy_policy_url: `${baseUrl}/privacy`,
        webhook_url: `${baseUrl}/webhook`,
      },
    ],
  };
}

/** The demo's service registry file (docs/service-registry.schema.json), for npm run operator -- service add. */
export function demoServiceRegistry(urlOf: (service: DemoService) => string) {
  return { providers: DEMO_SERVICES.map((s) => registryEntry(s, urlOf(s))) };
}
