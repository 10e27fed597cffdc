// Employment histories: they drive labour insurance, health insurance, income and, through income, low-income status.
import type { Employment } from './citizen.ts';
import { addDays, addYears, REFERENCE_DATE, yearOf } from './dates.ts';
import { EMPLOYERS, type Employer, type Job } from './employers.ts';
import type { Random } from './random.ts';
import { labourInsuranceGrade, NHI_GRADES } from './salary.ts';

/** Statutory monthly minimum wage from the given year on, TWD. */
const MINIMUM_WAGE: ReadonlyArray<readonly [number, number]> = [
  [1997, 15_840],
  [2008, 17_280],
  [2011, 17_880],
  [2012, 18_780],
  [2013, 19_047],
  [2014, 19_273],
  [2015, 20_008],
  [2017, 21_009],
  [2018, 22_000],
  [2019, 23_100],
  [2020, 23_800],
  [2021, 24_000],
  [2022, 25_250],
  [2023, 26_400],
  [2024, 27_470],
  [2025, 28_590],
  [2026, 29_500],
];

export function minimumWage(year: number): number {
  let wage = 15_360;
  for (const [from, amount] of MINIMUM_WAGE) if (year >= from) wage = amount;
  return wage;
}

/** Wages rose about 2.5% a year; older jobs paid correspondingly less, never below that year's minimum. */
export function salaryInYear(todaysSalary: number, year: number): number {
  const scaled = todaysSalary * 0.975 ** Math.max(0, yearOf(REFERENCE_DATE) - year);
  return Math.max(minimumWage(year), Math.round(scaled / 100) * 100);
}

/** Insured salary of a period; today's grade table only goes down to today's minimum wage, so older low wages are rounded instead. */
export function insuredSalary(employment: Employment): number {
  const salary = employment.monthlySalary;
  const lowest = NHI_GRADES[0] as number;
  if (salary >= lowest) return labourInsuranceGrade(salary);
  return Math.ceil(salary / 300) * 300;
}

export interface CareerPlan {
  birthDate: string;
  /** Age at first job. */
  startAge: number;
  /** Last day of the last job, or null while still working. */
  endsOn: string | null;
  /** Prefer employers in this city. */
  city: string;
}

function pickEmployer(random: Random, city: string, avoid: ReadonlySet<string>): Employer {
  // Most people work in the city they live in; a few commute or moved.
  const choices = EMPLOYERS.filter((e) => !avoid.has(e.name)).map((e) => [e, e.city === city ? 12 : 1] as const);
  return random.weighted(choices);
}

export function randomCareer(random: Random, plan: CareerPlan): Employment[] {
  const firstDay = addDays(addYears(plan.birthDate, plan.startAge), random.int(30, 200));
  const lastDay = plan.endsOn ?? REFERENCE_DATE;
  if (firstDay >= lastDay) return [];
  const years = yearOf(lastDay) - yearOf(firstDay);
  const jobCount = Math.min(3, 1 + random.int(0, Math.floor(years / 8)));
  const span = (Date.parse(lastDay) - Date.parse(firstDay)) / 86_400_000;
  // Job changes at random points in the span, with a short gap between jobs.
  const cuts = Array.from({ length: jobCount - 1 }, () => Math.floor(random.next() * span)).sort((a, b) => a - b);
  const used = new Set<string>();
  const employments: Employment[] = [];
  let start = firstDay;
  let level = random.next();
  for (let i = 0; i < jobCount; i++) {
    const cut = cuts[i];
    const end = cut === undefined ? plan.endsOn : addDays(firstDay, cut);
    if (end !== null && end <= start) continue;
    const employer = pickEmployer(random, plan.city, used);
    used.add(employer.name);
    const job: Job = random.pick(employer.jobs);
    // Careers mostly move upward: each new job pays at a higher point of its range.
    level = Math.min(1, level + random.next() * 0.3);
    const todays = job.salary[0] + (job.salary[1] - job.salary[0]) * level;
    employments.push({
      employer: employer.name,
      jobTitle: job.title,
      start,
      end,
      monthlySalary: salaryInYear(todays, yearOf(end ?? REFERENCE_DATE)),
    });
    if (end === null) break;
    start = addDays(end, random.int(1, 60));
    if (start >= lastDay) break;
  }
  return employments;
}
