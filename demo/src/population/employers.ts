// Fictional employers, banks and listed companies; codes are synthetic but pass the real checksums.
import { Random } from './random.ts';

export interface Job {
  title: string;
  /** Monthly salary range, TWD. */
  salary: readonly [number, number];
}

export interface Organisation {
  name: string;
  /** 統一編號, the business tax ID. */
  taxId: string;
  city: string;
}

export interface Employer extends Organisation {
  /** 勞保保險證號: synthetic 9-digit insured-unit code. */
  insuranceCode: string;
  jobs: readonly Job[];
}

const UNIFIED_BUSINESS_NUMBER_WEIGHTS = [1, 2, 1, 2, 1, 2, 4, 1] as const;

function digitSum(n: number): number {
  return Math.floor(n / 10) + (n % 10);
}

/** Sum of digit-sums of weighted digits; the Ministry of Finance accepts a number when it is divisible by 5. */
export function businessNumberSum(taxId: string): number {
  return [...taxId].reduce((sum, digit, i) => sum + digitSum(Number(digit) * (UNIFIED_BUSINESS_NUMBER_WEIGHTS[i] ?? 0)), 0);
}

function randomBusinessNumber(random: Random): string {
  // A 7 in the seventh place has a special rule; avoiding it keeps the generator simple.
  const body = random.chars('0123456789', 6) + random.chars('012345689', 1);
  const partial = businessNumberSum(`${body}0`);
  // Divisible by 10 satisfies both the old rule (mod 10) and the 2023 rule (mod 5).
  return `${body}${(10 - (partial % 10)) % 10}`;
}

/** Codes come from their own fixed seed so adding a citizen never changes an employer's numbers. */
const codes = new Random(0x4d79_4461);

function organisation(name: string, city: string): Organisation {
  return { name, city, taxId: randomBusinessNumber(codes) };
}

function employer(name: string, city: string, jobs: readonly Job[]): Employer {
  return { ...organisation(name, city), insuranceCode: codes.chars('0123456789', 9), jobs };
}

export const EMPLOYERS: readonly Employer[] = [
  employer('明昇科技股份有限公司', '臺北市', [
    { title: '軟體工程師', salary: [62_000, 115_000] },
    { title: '專案經理', salary: [75_000, 125_000] },
    { title: '測試工程師', salary: [45_000, 70_000] },
  ]),
  employer('宏晟精密工業股份有限公司', '桃園市', [
    { title: '作業員', salary: [30_000, 38_000] },
    { title: '品管工程師', salary: [42_000, 60_000] },
    { title: '設備工程師', salary: [48_000, 72_000] },
  ]),
  employer('瑞祥電子股份有限公司', '新竹市', [
    { title: '製程工程師', salary: [68_000, 125_000] },
    { title: '技術員', salary: [36_000, 48_000] },
  ]),
  employer('永豐順物流股份有限公司', '桃園市', [
    { title: '貨車司機', salary: [38_000, 52_000] },
    { title: '倉管人員', salary: [32_000, 40_000] },
  ]),
  employer('福泰便利商店股份有限公司', '臺北市', [
    { title: '門市人員', salary: [29_500, 33_000] },
    { title: '店長', salary: [42_000, 55_000] },
  ]),
  employer('康和醫療社團法人康和醫院', '臺中市', [
    { title: '護理師', salary: [45_000, 62_000] },
    { title: '藥師', salary: [55_000, 75_000] },
    { title: '行政人員', salary: [32_000, 40_000] },
  ]),
  employer('國順營造股份有限公司', '高雄市', [
    { title: '工地主任', salary: [55_000, 82_000] },
    { title: '技術工', salary: [38_000, 50_000] },
  ]),
  employer('正信聯合會計師事務所', '臺北市', [
    { title: '會計師', salary: [70_000, 110_000] },
    { title: '會計助理', salary: [33_000, 42_000] },
  ]),
  employer('佳味餐飲股份有限公司', '臺南市', [
    { title: '廚師', salary: [36_000, 50_000] },
    { title: '外場服務員', salary: [29_500, 33_000] },
  ]),
  employer('安衛保全股份有限公司', '新北市', [{ title: '保全人員', salary: [32_000, 40_000] }]),
  employer('南方鋼鐵股份有限公司', '高雄市', [
    { title: '機台操作員', salary: [40_000, 55_000] },
    { title: '機械工程師', salary: [52_000, 78_000] },
  ]),
  employer('中台紡織股份有限公司', '臺中市', [
    { title: '作業員', salary: [30_000, 36_000] },
    { title: '業務專員', salary: [38_000, 56_000] },
  ]),
  employer('綠光設計有限公司', '臺北市', [{ title: '室內設計師', salary: [40_000, 62_000] }]),
  employer('晨曦清潔服務有限公司', '臺中市', [{ title: '清潔人員', salary: [29_500, 31_000] }]),
  employer('海洋數位行銷股份有限公司', '新北市', [
    { title: '行銷專員', salary: [38_000, 56_000] },
    { title: '客服人員', salary: [31_000, 36_000] },
  ]),
];

export const BANKS: readonly Organisation[] = [
  organisation('福爾摩沙商業銀行股份有限公司', '臺北市'),
  organisation('信安商業銀行股份有限公司', '臺北市'),
  organisation('合盛商業銀行股份有限公司', '臺中市'),
  organisation('南瀛信用合作社', '臺南市'),
];

/** Listed companies whose shares people hold (dividends, and investments in the property data set). */
export const LISTED_COMPANIES: readonly Organisation[] = [
  EMPLOYERS[2] as Employer,
  EMPLOYERS[10] as Employer,
  organisation('台灣綠能電力股份有限公司', '臺北市'),
  organisation('東亞航運股份有限公司', '高雄市'),
  organisation('永昌食品股份有限公司', '臺南市'),
];

export function findEmployer(name: string): Employer {
  const found = EMPLOYERS.find((e) => e.name === name);
  if (!found) throw new RangeError(`unknown employer ${name}`);
  return found;
}

export function findOrganisation(name: string): Organisation {
  const found = [...EMPLOYERS, ...BANKS, ...LISTED_COMPANIES].find((o) => o.name === name);
  if (!found) throw new RangeError(`unknown organisation ${name}`);
  return found;
}
