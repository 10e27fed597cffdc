// Individual income tax for tax year 2025 (filed May 2026), using that year's announced amounts.

export const TAX_YEAR = 2025;

const EXEMPTION = 101_000;
/** People aged 70 or over get half as much again. */
const SENIOR_EXEMPTION = 151_500;
const STANDARD_DEDUCTION = { single: 136_000, married: 272_000 } as const;
const SALARY_SPECIAL_DEDUCTION = 227_000;
const SAVINGS_SPECIAL_DEDUCTION = 270_000;
/** Basic living expense per person; the shortfall against exemptions and deductions is deductible too. */
const BASIC_LIVING_EXPENSE = 213_000;

/** Upper bound of each bracket, its rate, and the progressive difference (累進差額). */
const BRACKETS: ReadonlyArray<readonly [number, number, number]> = [
  [610_000, 0.05, 0],
  [1_380_000, 0.12, 42_700],
  [2_770_000, 0.2, 153_100],
  [5_190_000, 0.3, 430_100],
  [Number.POSITIVE_INFINITY, 0.4, 949_100],
];

export interface FilingUnitIncome {
  married: boolean;
  /** Ages at the end of the tax year of everyone in the unit (taxpayer, spouse, dependants). */
  ages: readonly number[];
  /** Salary per earner, because the salary deduction is per person. */
  salaries: readonly number[];
  interest: number;
  otherIncome: number;
  withheld: number;
}

export interface TaxAssessment {
  totalIncome: number;
  exemptions: number;
  deductions: number;
  netTaxableIncome: number;
  taxPayable: number;
  withheld: number;
  /** Positive: paid on filing; negative: refunded. */
  balance: number;
}

export function assessIncomeTax(unit: FilingUnitIncome): TaxAssessment {
  const salary = unit.salaries.reduce((a, b) => a + b, 0);
  const totalIncome = salary + unit.interest + unit.otherIncome;
  const exemptions = unit.ages.reduce((sum, age) => sum + (age >= 70 ? SENIOR_EXEMPTION : EXEMPTION), 0);
  const standard = unit.married ? STANDARD_DEDUCTION.married : STANDARD_DEDUCTION.single;
  const savings = Math.min(unit.interest, SAVINGS_SPECIAL_DEDUCTION);
  const salaryDeduction = unit.salaries.reduce((sum, s) => sum + Math.min(s, SALARY_SPECIAL_DEDUCTION), 0);
  const livingShortfall = Math.max(0, unit.ages.length * BASIC_LIVING_EXPENSE - (exemptions + standard + savings));
  const deductions = standard + savings + salaryDeduction + livingShortfall;
  const netTaxableIncome = Math.max(0, totalIncome - exemptions - deductions);
  const bracket = BRACKETS.find(([upper]) => netTaxableIncome <= upper) ?? BRACKETS[BRACKETS.length - 1];
  const taxPayable = bracket === undefined ? 0 : Math.max(0, Math.round(netTaxableIncome * bracket[1] - bracket[2]));
  return {
    totalIncome,
    exemptions,
    deductions,
    netTaxableIncome,
    taxPayable,
    withheld: unit.withheld,
    balance: taxPayable - unit.withheld,
  };
}

/** Employers withhold 5% of salaries above this monthly amount (2025 table threshold). */
export const SALARY_WITHHOLDING_THRESHOLD = 88_501;

/** Bank interest is withheld at 10% only when a single payment exceeds this. */
export const INTEREST_WITHHOLDING_THRESHOLD = 20_010;
