// Low-income status and health-insurance cover, worked out per household once everyone's job and assets are known.
import type { Citizen, LowIncomeCertificate } from './citizen.ts';
import { currentEmployment } from './citizen.ts';
import { minimumWage } from './careers.ts';
import { ageOn, REFERENCE_DATE, yearOf } from './dates.ts';
import { findCity } from './places.ts';

/** Deposits above this per household member fail the means test. */
const SAVINGS_LIMIT_PER_MEMBER = 150_000;

/**
 * The means test: income per member against the city's threshold. Adults of working age without a job are
 * counted as earning the minimum wage (設算所得), and any land or building disqualifies the household.
 */
export function lowIncomeCertificate(members: readonly Citizen[]): LowIncomeCertificate | null {
  const head = members.find((m) => m.relationship === '戶長');
  if (!head) return null;
  if (members.some((m) => m.land.length > 0 || m.buildings.length > 0)) return null;
  const deposits = members.flatMap((m) => m.savings).reduce((sum, s) => sum + s.deposit, 0);
  if (deposits > SAVINGS_LIMIT_PER_MEMBER * members.length) return null;
  const year = yearOf(REFERENCE_DATE);
  const income = members.reduce((sum, m) => {
    const job = currentEmployment(m);
    if (job) return sum + job.monthlySalary;
    const age = ageOn(m.birthDate);
    return age >= 20 && age < 65 ? sum + minimumWage(year) : sum;
  }, 0);
  const city = findCity(head.address.city);
  const ratio = income / members.length / city.lowIncomeThreshold;
  if (ratio > 1.5) return null;
  const category: LowIncomeCertificate['category'] = ratio === 0 ? '第一款' : ratio <= 1 / 3 ? '第二款' : ratio <= 1 ? '第三款' : '中低收入';
  return {
    category,
    headName: head.name,
    members: members.length,
    validFrom: `${year}-01-01`,
    validTo: `${year}-12-31`,
    office: `${head.address.city}${head.address.district}公所`,
  };
}

/** Who can carry an unemployed member as a dependant: a working spouse, a working parent, or a working child. */
function insuredFor(member: Citizen, members: readonly Citizen[]): Citizen | undefined {
  const working = (c: Citizen | undefined) => (c && currentEmployment(c) ? c : undefined);
  const head = members.find((m) => m.relationship === '戶長');
  const spouse = members.find((m) => m.relationship === '配偶');
  switch (member.relationship) {
    case '戶長':
      return working(spouse);
    case '配偶':
      return working(head);
    case '子':
    case '女': {
      // Adult children out of school cannot be dependants.
      if (ageOn(member.birthDate) >= 25) return undefined;
      const parents = [head, spouse].filter((p): p is Citizen => p !== undefined);
      return working(parents.find((p) => p.sex === 'M')) ?? working(parents.find((p) => p.sex === 'F'));
    }
    case '父':
    case '母':
      // Parents-in-law do not qualify, so only the head (their child) can carry them.
      return working(head);
  }
}

/** Sets each member's low-income certificates and health-insurance cover. */
export function settleHousehold(members: readonly Citizen[]): void {
  const certificate = lowIncomeCertificate(members);
  for (const member of members) {
    if (certificate) member.lowIncome = [...member.lowIncome, certificate];
  }
  for (const member of members) {
    if (currentEmployment(member)) {
      member.nhi = { kind: 'employee' };
    } else if (certificate && certificate.category !== '中低收入') {
      member.nhi = { kind: 'low-income' };
    } else {
      const insured = insuredFor(member, members);
      member.nhi = insured ? { kind: 'dependant', insuredId: insured.nationalId } : { kind: 'regional' };
    }
  }
}
