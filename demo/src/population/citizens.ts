// The demo's synthetic population: two fixed personas' households plus seeded random ones.
import type { Address, Citizen } from './citizen.ts';
import { personaHouseholds } from './personas.ts';
import { Random } from './random.ts';
import { randomHousehold } from './random-households.ts';
import { settleHousehold } from './social-status.ts';
import { UniqueCodes } from './unique-codes.ts';

export type { Citizen } from './citizen.ts';
export { formatAddress } from './citizen.ts';
export { REFERENCE_DATE, toRocDate } from './dates.ts';
export { DEMO_PERSONAS, type DemoPersona } from './personas.ts';

export const DEFAULT_SEED = 20261127;

const MIN_HOUSEHOLDS = 24;
const MIN_CITIZENS = 66;

/** Same seed, same people: the personas come first and never change; the seed only moves everyone else. */
export function generatePopulation(seed = DEFAULT_SEED): Citizen[] {
  const random = new Random(seed);
  const codes = new UniqueCodes();
  const households = personaHouseholds(codes);
  while (households.length < MIN_HOUSEHOLDS || households.flat().length < MIN_CITIZENS) {
    households.push(randomHousehold(random, codes));
  }
  for (const members of households) settleHousehold(members);
  return households.flat();
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The default population, built once; frozen because every demo agency and test shares it. */
export const CITIZENS: readonly Citizen[] = deepFreeze(generatePopulation());

const byId = new Map(CITIZENS.map((c) => [c.nationalId, c]));

export function findCitizen(nationalId: string, population: readonly Citizen[] = CITIZENS): Citizen | undefined {
  if (population === CITIZENS) return byId.get(nationalId);
  return population.find((c) => c.nationalId === nationalId);
}

export interface Household {
  id: string;
  address: Address;
  head: Citizen;
  /** Head first, then in register order (spouse, children, parents). */
  members: Citizen[];
}

export function householdOf(citizen: Citizen, population: readonly Citizen[] = CITIZENS): Household {
  const members = population.filter((c) => c.householdId === citizen.householdId);
  const head = members.find((c) => c.relationship === '戶長');
  if (!head) throw new Error(`household ${citizen.householdId} has no head`);
  return { id: citizen.householdId, address: head.address, head, members };
}

/** All households of a population, in generation order. */
export function households(population: readonly Citizen[] = CITIZENS): Household[] {
  const seen = new Set<string>();
  const out: Household[] = [];
  for (const citizen of population) {
    if (seen.has(citizen.householdId)) continue;
    seen.add(citizen.householdId);
    out.push(householdOf(citizen, population));
  }
  return out;
}
