// Social insurance data sets: labour insurance (勞保局) and national health insurance enrolment and premiums (健保署).
import type { Citizen } from './citizen.ts';
import { currentEmployment } from './citizen.ts';
import { insuredSalary } from './careers.ts';
import { addDays, isoDate, lastDayOfMonth, maxDate, REFERENCE_DATE, yearOf } from './dates.ts';
import type { FieldValue } from './dataset-fields.ts';
import { findEmployer } from './employers.ts';
import { employeeNhiPremium, nhiGrade, REGIONAL_NHI_PREMIUM } from './salary.ts';

type Row = Record<string, FieldValue>;

/** National health insurance began on 1 March 1995; nobody was enrolled before. */
const NHI_START = '1995-03-01';

export function labourInsurance(citizen: Citizen): Row[] {
  return citizen.employments.map((job) => ({
    employer_name: job.employer,
    employer_insurance_code: findEmployer(job.employer).insuranceCode,
    start_date: job.start,
    end_date: job.end,
    insured_salary: insuredSalary(job),
  }));
}

interface NhiPeriod {
  category: '第一類' | '第五類' | '第六類';
  status: '本人' | '眷屬';
  insured: Citizen;
  unit: string;
  amount: number | null;
  start: string;
  end: string | null;
}

function districtOffice(citizen: Citizen): string {
  return `${citizen.address.city}${citizen.address.district}公所`;
}

/** Wages below today's lowest grade belong to earlier years, when the table started lower. */
function nhiAmount(monthlySalary: number): number {
  return monthlySalary >= 29_500 ? nhiGrade(monthlySalary) : Math.ceil(monthlySalary / 300) * 300;
}

function dependantsOf(insured: Citizen, population: readonly Citizen[]): Citizen[] {
  return population.filter((c) => c.nhi.kind === 'dependant' && c.nhi.insuredId === insured.nationalId);
}

/** Jobs give category 1 periods; after the last job, whatever cover the person has now. */
function nhiPeriods(citizen: Citizen, population: readonly Citizen[]): NhiPeriod[] {
  const periods: NhiPeriod[] = citizen.employments
    .filter((job) => (job.end ?? REFERENCE_DATE) >= NHI_START)
    .map((job) => ({
      category: '第一類',
      status: '本人',
      insured: citizen,
      unit: job.employer,
      amount: nhiAmount(job.monthlySalary),
      start: maxDate(job.start, NHI_START),
      end: job.end,
    }));
  const last = citizen.employments.at(-1);
  const from = maxDate(NHI_START, citizen.birthDate, last?.end ? addDays(last.end, 1) : citizen.birthDate);
  const nhi = citizen.nhi;
  switch (nhi.kind) {
    case 'employee':
      break;
    case 'dependant': {
      const insured = population.find((c) => c.nationalId === nhi.insuredId);
      const job = insured ? currentEmployment(insured) : undefined;
      if (insured && job) {
        periods.push({
          category: '第一類',
          status: '眷屬',
          insured,
          unit: job.employer,
          amount: nhiAmount(job.monthlySalary),
          start: maxDate(from, job.start),
          end: null,
        });
      }
      break;
    }
    case 'low-income':
      periods.push({
        category: '第五類',
        status: '本人',
        insured: citizen,
        unit: districtOffice(citizen),
        amount: null,
        start: maxDate(from, citizen.registeredOn),
        end: null,
      });
      break;
    case 'regional':
      periods.push({
        category: '第六類',
        status: '本人',
        insured: citizen,
        unit: districtOffice(citizen),
        amount: null,
        start: maxDate(from, citizen.registeredOn),
        end: null,
      });
      break;
  }
  return periods;
}

export function nhiEnrolment(citizen: Citizen, population: readonly Citizen[]): Row[] {
  const dependants = dependantsOf(citizen, population);
  return nhiPeriods(citizen, population).map((period) => ({
    category: period.category,
    status: period.status,
    insured_person_name: period.insured.name,
    insured_unit: period.unit,
    insured_amount: period.amount,
    start_date: period.start,
    end_date: period.end,
    // Only the current period lists dependants: the register keeps no history of them here.
    dependants: period.status === '本人' && period.end === null && dependants.length > 0 ? dependants.map((d) => d.name).join('、') : null,
  }));
}

/** The twelve billing months before the reference date's month, oldest first. */
function lastTwelveMonths(): Array<{ year: number; month: number }> {
  const year = yearOf(REFERENCE_DATE);
  const month = Number(REFERENCE_DATE.slice(5, 7));
  return Array.from({ length: 12 }, (_, i) => {
    const index = year * 12 + (month - 1) - 13 + i;
    return { year: Math.floor(index / 12), month: (index % 12) + 1 };
  });
}

/** Premiums are charged for whoever is insured at the end of the month and paid the following month. */
export function nhiPremiums(citizen: Citizen, population: readonly Citizen[]): Row[] {
  const periods = nhiPeriods(citizen, population).filter((p) => p.status === '本人');
  const dependants = dependantsOf(citizen, population).length;
  const payDay = 10 + (Number(citizen.nationalId.slice(-2)) % 15);
  const rows: Row[] = [];
  for (const { year, month } of lastTwelveMonths()) {
    const monthEnd = lastDayOfMonth(year, month);
    const period = periods.find((p) => p.start <= monthEnd && (p.end === null || p.end >= monthEnd));
    if (!period) continue;
    const charged = period.end === null ? dependants : 0;
    const next = { year: month === 12 ? year + 1 : year, month: month === 12 ? 1 : month + 1 };
    let premium: number;
    let payer: string;
    let paid: string;
    if (period.category === '第一類') {
      premium = employeeNhiPremium(period.amount ?? 0, charged);
      payer = period.unit;
      // Employers remit the withheld share by the end of the following month.
      paid = lastDayOfMonth(next.year, next.month);
    } else if (period.category === '第五類') {
      premium = 0;
      payer = '中央政府全額補助';
      paid = lastDayOfMonth(next.year, next.month);
    } else {
      premium = REGIONAL_NHI_PREMIUM * (1 + Math.min(charged, 3));
      payer = '本人';
      paid = isoDate(next.year, next.month, payDay);
    }
    rows.push({
      billing_month: `${year}-${String(month).padStart(2, '0')}`,
      category: period.category,
      insured_amount: period.amount,
      dependants_count: Math.min(charged, 3),
      premium,
      payer,
      paid_date: paid,
      status: '已繳',
    });
  }
  return rows;
}
