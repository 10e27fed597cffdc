// Insured-salary grade tables: the labour-insurance table is the low end of the health-insurance table.

/** Monthly insured salary grades (月投保金額) for national health insurance, 2026, TWD (abridged at the top). */
export const NHI_GRADES: readonly number[] = [
  29_500, 30_300, 31_800, 33_300, 34_800, 36_300, 38_200, 40_100, 42_000, 43_900, 45_800, 48_200, 50_600, 53_000, 55_400, 57_800, 60_800, 63_800, 66_800,
  69_800, 72_800, 76_500, 80_200, 83_900, 87_600, 92_100, 96_600, 101_100, 105_600, 110_100, 115_500, 120_900, 126_300, 131_700, 137_100, 142_500, 147_900,
  150_000, 156_400, 162_800, 169_200, 175_600, 182_000,
];

/** Labour insurance stops at 45,800 however high the wage. */
export const LABOUR_INSURANCE_CAP = 45_800;

/** Salaries are insured at the lowest grade not below them. */
export function nhiGrade(monthlySalary: number): number {
  return NHI_GRADES.find((grade) => grade >= monthlySalary) ?? (NHI_GRADES[NHI_GRADES.length - 1] as number);
}

export function labourInsuranceGrade(monthlySalary: number): number {
  return Math.min(nhiGrade(monthlySalary), LABOUR_INSURANCE_CAP);
}

/** NHI premium rate 5.17%; an employee pays 30% of it, for themselves and up to three dependants. */
export function employeeNhiPremium(insuredAmount: number, dependants: number): number {
  return Math.round(insuredAmount * 0.0517 * 0.3) * (1 + Math.min(dependants, 3));
}

/** Category 6 (regional population) pays a flat average premium per person. */
export const REGIONAL_NHI_PREMIUM = 826;
