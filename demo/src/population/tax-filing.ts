// Last year's income per source and the joint tax return it belongs to; shared by the income and tax-certificate data sets.
import type { Citizen } from './citizen.ts';
import { householdOf } from './citizens.ts';
import { ageOn, isoDate, maxDate, minDate } from './dates.ts';
import { findEmployer, findOrganisation } from './employers.ts';
import { findCity } from './places.ts';
import { assessIncomeTax, INTEREST_WITHHOLDING_THRESHOLD, SALARY_WITHHOLDING_THRESHOLD, TAX_YEAR, type TaxAssessment } from './tax.ts';

export { TAX_YEAR };

export interface IncomeSource {
  payer: string;
  payerTaxId: string;
  type: '薪資' | '利息' | '股利';
  /** Withholding-statement format code: 50 salaries, 5A bank interest, 54 dividends. */
  code: '50' | '5A' | '54';
  amount: number;
  /** Monthly wage for salaries, which decides withholding. */
  monthlySalary: number | null;
}

const YEAR_START = isoDate(TAX_YEAR, 1, 1);
const YEAR_END = isoDate(TAX_YEAR, 12, 31);

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
}

/** A year's pay is twelve months plus about one and a half months of bonus, prorated for part-year jobs. */
export function grossIncome(citizen: Citizen): IncomeSource[] {
  const sources: IncomeSource[] = [];
  for (const job of citizen.employments) {
    const from = maxDate(job.start, YEAR_START);
    const to = minDate(job.end ?? YEAR_END, YEAR_END);
    if (from > to) continue;
    const days = daysBetween(from, to);
    const employer = findEmployer(job.employer);
    sources.push({
      payer: employer.name,
      payerTaxId: employer.taxId,
      type: '薪資',
      code: '50',
      amount: Math.round((job.monthlySalary * 13.5 * days) / 365),
      monthlySalary: job.monthlySalary,
    });
  }
  for (const account of citizen.savings) {
    if (account.interest <= 0) continue;
    sources.push({
      payer: account.bank,
      payerTaxId: findOrganisation(account.bank).taxId,
      type: '利息',
      code: '5A',
      amount: account.interest,
      monthlySalary: null,
    });
  }
  for (const holding of citizen.shareholdings) {
    sources.push({
      payer: holding.company,
      payerTaxId: findOrganisation(holding.company).taxId,
      type: '股利',
      code: '54',
      amount: Math.round(holding.shares * holding.dividendPerShare),
      monthlySalary: null,
    });
  }
  return sources;
}

export interface FilingUnit {
  taxpayer: Citizen;
  spouse: Citizen | null;
  dependants: Citizen[];
}

function total(citizen: Citizen, type?: IncomeSource['type']): number {
  return grossIncome(citizen)
    .filter((s) => type === undefined || s.type === type)
    .reduce((sum, s) => sum + s.amount, 0);
}

/**
 * Married couples file jointly, with children under 20 (or students up to 25 without income) and retired
 * parents without wages as dependants; anyone else with income files alone. Units with no income file nothing.
 */
export function filingUnits(members: readonly Citizen[]): FilingUnit[] {
  const head = members.find((m) => m.relationship === '戶長');
  if (!head) return [];
  const partner = members.find((m) => m.relationship === '配偶') ?? null;
  const couple = partner ? [head, partner] : [head];
  const [taxpayer, spouse] = [...couple].sort((a, b) => total(b, '薪資') - total(a, '薪資')) as [Citizen, Citizen | undefined];
  const dependants = members.filter((m) => {
    const age = ageOn(m.birthDate, YEAR_END);
    if (m.relationship === '子' || m.relationship === '女') return age < 20 || (age < 25 && total(m) === 0);
    if (m.relationship === '父' || m.relationship === '母') return age >= 60 && total(m, '薪資') === 0;
    return false;
  });
  const units: FilingUnit[] = [{ taxpayer, spouse: spouse ?? null, dependants }];
  const covered = new Set([...couple, ...dependants]);
  for (const member of members) {
    if (!covered.has(member)) units.push({ taxpayer: member, spouse: null, dependants: [] });
  }
  return units.filter((unit) => unitMembers(unit).some((m) => total(m) > 0));
}

export function unitMembers(unit: FilingUnit): Citizen[] {
  return [unit.taxpayer, ...(unit.spouse ? [unit.spouse] : []), ...unit.dependants];
}

export function filingUnitOf(citizen: Citizen, population?: readonly Citizen[]): FilingUnit | undefined {
  const household = householdOf(citizen, population);
  return filingUnits(household.members).find((unit) => unitMembers(unit).includes(citizen));
}

/** One person's exemption spread over twelve months, which is how much the withholding table moves per dependant. */
const MONTHLY_EXEMPTION = 8_417;

export interface WithheldIncome extends IncomeSource {
  withholding: number;
}

/** Employers withhold by the table, which starts higher for each person the employee supports. */
export function incomeWithWithholding(citizen: Citizen, population?: readonly Citizen[]): WithheldIncome[] {
  const unit = filingUnitOf(citizen, population);
  // A dependant's own wages are withheld as for a single person; the taxpayer and spouse count everyone else.
  const supported = !unit || unit.dependants.includes(citizen) ? 0 : unitMembers(unit).length - 1;
  const threshold = SALARY_WITHHOLDING_THRESHOLD + supported * MONTHLY_EXEMPTION;
  return grossIncome(citizen).map((source) => {
    let withholding = 0;
    if (source.type === '薪資' && (source.monthlySalary ?? 0) > threshold) withholding = Math.round(source.amount * 0.05);
    if (source.type === '利息' && source.amount > INTEREST_WITHHOLDING_THRESHOLD) withholding = Math.round(source.amount * 0.1);
    return { ...source, withholding };
  });
}

export interface TaxReturn extends TaxAssessment {
  unit: FilingUnit;
  /** Balances due are paid by the end of May; refunds carry no payment date. */
  paidDate: string | null;
  taxOffice: string;
}

export function taxReturnOf(citizen: Citizen, population?: readonly Citizen[]): TaxReturn | undefined {
  const unit = filingUnitOf(citizen, population);
  if (!unit) return undefined;
  const members = unitMembers(unit);
  const sources = members.flatMap((m) => incomeWithWithholding(m, population));
  const sum = (type: IncomeSource['type']) => sources.filter((s) => s.type === type).reduce((a, s) => a + s.amount, 0);
  const assessment = assessIncomeTax({
    married: unit.spouse !== null,
    ages: members.map((m) => ageOn(m.birthDate, YEAR_END)),
    salaries: members.map((m) =>
      grossIncome(m)
        .filter((s) => s.type === '薪資')
        .reduce((a, s) => a + s.amount, 0),
    ),
    interest: sum('利息'),
    otherIncome: sum('股利'),
    withheld: sources.reduce((a, s) => a + s.withholding, 0),
  });
  const digits = [...unit.taxpayer.nationalId.slice(1)].reduce((a, d) => a + Number(d), 0);
  const { city, district } = unit.taxpayer.address;
  return {
    ...assessment,
    unit,
    paidDate: assessment.balance > 0 ? isoDate(TAX_YEAR + 1, 5, 20 + (digits % 11)) : null,
    taxOffice: findCity(city).taxOffice(district),
  };
}
