// Random households around the personas: families, three generations, couples, singles and single parents.
import { randomCareer } from './careers.ts';
import { randomBirthDate, randomDateBetween } from './random-dates.ts';
import type { Citizen, Employment, LicenceClass, Relationship, Sex } from './citizen.ts';
import { addDays, addYears, ageOn, isoDate, maxDate, minDate, REFERENCE_DATE, yearOf } from './dates.ts';
import { randomSavings, randomShareholdings } from './finances.ts';
import { homeFor, ownedPart, randomDwelling, randomFarmland } from './homes.ts';
import { randomIdCard } from './id-cards.ts';
import { randomGivenName, randomSurname, romanise } from './names.ts';
import { randomNationalId } from './national-id.ts';
import { CITIES, type City, type District } from './places.ts';
import type { Random } from './random.ts';
import type { UniqueCodes } from './unique-codes.ts';
import { licenceFor, randomVehicle, randomViolation } from './vehicles.ts';

type Template = 'family' | 'three-generation' | 'couple' | 'single' | 'single-parent';

const TEMPLATES: ReadonlyArray<readonly [Template, number]> = [
  ['family', 34],
  ['three-generation', 14],
  ['couple', 16],
  ['single', 22],
  ['single-parent', 14],
];

/** Roughly by population. */
const CITY_WEIGHTS: Readonly<Record<string, number>> = {
  新北市: 4,
  臺中市: 3,
  高雄市: 3,
  臺北市: 2.5,
  桃園市: 2.5,
  臺南市: 2,
  新竹市: 1,
};

const THIS_YEAR = yearOf(REFERENCE_DATE);
const LAST_DAY = addDays(REFERENCE_DATE, -1);

interface Sketch {
  relationship: Relationship;
  sex: Sex;
  birthDate: string;
  surname: string;
  givenName: string;
}

function other(sex: Sex): Sex {
  return sex === 'M' ? 'F' : 'M';
}

function birthIn(random: Random, year: number): string {
  return minDate(randomBirthDate(random, year), LAST_DAY);
}

function sketchHousehold(random: Random, codes: UniqueCodes, template: Template): Sketch[] {
  const person = (relationship: Relationship, sex: Sex, year: number, surname: string): Sketch => ({
    relationship,
    sex,
    birthDate: birthIn(random, year),
    surname,
    givenName: '',
  });
  const headSurname = randomSurname(random);
  let head: Sketch;
  let spouse: Sketch | null = null;
  let childCount = 0;
  const elders: Sketch[] = [];
  switch (template) {
    case 'family':
    case 'three-generation': {
      const sex: Sex = random.chance(0.75) ? 'M' : 'F';
      const age = template === 'family' ? random.int(30, 58) : random.int(35, 60);
      head = person('戶長', sex, THIS_YEAR - age, headSurname);
      const gap = random.int(0, 5);
      spouse = person('配偶', other(sex), THIS_YEAR - age + (sex === 'M' ? gap : -gap), randomSurname(random, headSurname));
      childCount = template === 'family' ? random.int(1, 3) : random.int(1, 2);
      const withElders = template === 'three-generation' || random.chance(0.2);
      if (withElders) {
        const fatherYear = THIS_YEAR - age - random.int(25, 34);
        const motherYear = fatherYear + random.int(0, 4);
        const hasFather = fatherYear >= 1932 && random.chance(0.55);
        if (hasFather) elders.push(person('父', 'M', fatherYear, headSurname));
        if (!hasFather || random.chance(0.8)) elders.push(person('母', 'F', Math.max(1931, motherYear), randomSurname(random, headSurname)));
      }
      break;
    }
    case 'couple': {
      const sex: Sex = random.chance(0.8) ? 'M' : 'F';
      const age = random.chance(0.35) ? random.int(25, 34) : random.int(55, 82);
      head = person('戶長', sex, THIS_YEAR - age, headSurname);
      const gap = random.int(0, 4);
      spouse = person('配偶', other(sex), THIS_YEAR - age + (sex === 'M' ? gap : -gap), randomSurname(random, headSurname));
      break;
    }
    case 'single': {
      head = person('戶長', random.chance(0.5) ? 'M' : 'F', THIS_YEAR - random.int(22, 88), headSurname);
      break;
    }
    case 'single-parent': {
      head = person('戶長', random.chance(0.8) ? 'F' : 'M', THIS_YEAR - random.int(28, 55), headSurname);
      childCount = random.int(1, 2);
      break;
    }
  }
  const mother = [head, spouse].find((p) => p?.sex === 'F') ?? null;
  const father = [head, spouse].find((p) => p?.sex === 'M') ?? null;
  // Children take their father's surname; a single mother's children mostly carry their absent father's.
  const childSurname = father?.surname ?? (random.chance(0.75) ? randomSurname(random, head.surname) : head.surname);
  const parentYear = yearOf((mother ?? head).birthDate);
  const children: Sketch[] = [];
  for (let i = 0; i < childCount; i++) {
    const year = random.int(parentYear + 23, Math.min(parentYear + 41, THIS_YEAR));
    const sex: Sex = random.chance(0.5) ? 'M' : 'F';
    children.push(person(sex === 'M' ? '子' : '女', sex, year, childSurname));
  }
  children.sort((a, b) => a.birthDate.localeCompare(b.birthDate));
  const members = [head, ...(spouse ? [spouse] : []), ...children, ...elders];
  // Distinct names across the population keep demo screens unambiguous.
  for (const member of members) {
    const name = codes.prefer('name', () => member.surname + randomGivenName(random, member.sex, yearOf(member.birthDate)));
    member.givenName = name.slice(member.surname.length);
  }
  return members;
}

function invent(random: Random, sex: Sex, year: number, surname?: string): string {
  return (surname ?? randomSurname(random)) + randomGivenName(random, sex, year);
}

interface Kin {
  fatherName: string | null;
  motherName: string | null;
  spouseName: string | null;
}

/** Parents and spouse as the register names them, whether or not they live in the household. */
function kinOf(random: Random, member: Sketch, members: readonly Sketch[]): Kin {
  const find = (relationship: Relationship) => members.find((m) => m.relationship === relationship);
  const nameOf = (m: Sketch | undefined) => (m ? m.surname + m.givenName : null);
  const head = find('戶長');
  const spouse = find('配偶');
  const born = yearOf(member.birthDate);
  const parentsOutside = (): Kin => ({
    fatherName: invent(random, 'M', born - 30, member.surname),
    motherName: invent(random, 'F', born - 28),
    spouseName: null,
  });
  switch (member.relationship) {
    case '戶長': {
      const father = find('父');
      const mother = find('母');
      const outside = parentsOutside();
      return {
        fatherName: nameOf(father) ?? outside.fatherName,
        motherName: nameOf(mother) ?? outside.motherName,
        spouseName: nameOf(spouse),
      };
    }
    case '配偶':
      return { ...parentsOutside(), spouseName: nameOf(head) };
    case '子':
    case '女': {
      const parents = [head, spouse];
      const father = parents.find((p) => p?.sex === 'M');
      const mother = parents.find((p) => p?.sex === 'F');
      return {
        fatherName: nameOf(father) ?? invent(random, 'M', born - 32, member.surname),
        motherName: nameOf(mother) ?? invent(random, 'F', born - 30),
        spouseName: null,
      };
    }
    case '父':
      return { ...parentsOutside(), spouseName: nameOf(find('母')) };
    case '母':
      return { ...parentsOutside(), spouseName: nameOf(find('父')) };
  }
}

function careerOf(random: Random, member: Sketch, city: City, caresForToddler: boolean): Employment[] {
  const age = ageOn(member.birthDate);
  const plan = { birthDate: member.birthDate, city: city.name };
  if (age < 18) return [];
  if (age < 23) {
    return random.chance(0.35) ? randomCareer(random, { ...plan, startAge: random.int(18, age), endsOn: null }) : [];
  }
  const startAge = Math.min(age - 1, random.int(20, 25));
  if (age < 65) {
    if (random.chance(caresForToddler ? 0.6 : 0.85)) return randomCareer(random, { ...plan, startAge, endsOn: null });
    if (!random.chance(0.75)) return [];
    const from = maxDate(addYears(member.birthDate, startAge + 2), '2012-01-01');
    return randomCareer(random, { ...plan, startAge, endsOn: randomDateBetween(random, from, '2026-09-30') });
  }
  if (!random.chance(0.85)) return [];
  const retired = addDays(addYears(member.birthDate, random.int(58, 65)), random.int(0, 300));
  return randomCareer(random, { ...plan, startAge, endsOn: minDate(retired, '2026-09-30') });
}

export function randomHousehold(random: Random, codes: UniqueCodes): Citizen[] {
  const city = random.weighted(CITIES.map((c) => [c, CITY_WEIGHTS[c.name] ?? 1] as const));
  const district: District = random.pick(city.districts);
  const template = random.weighted(TEMPLATES);
  const sketches = sketchHousehold(random, codes, template);
  const householdId = codes.claim('household', () => `${city.letter}${random.chars('0123456789', 7)}`);
  const dwelling = randomDwelling(random, city, district);
  const head = sketches[0] as Sketch;
  const headAge = ageOn(head.birthDate);
  const youngest = sketches.filter((s) => s.relationship === '子' || s.relationship === '女').at(-1);
  const hasToddler = youngest !== undefined && ageOn(youngest.birthDate) < 6;

  const citizens: Citizen[] = sketches.map((sketch) => {
    const employments = careerOf(random, sketch, city, hasToddler && sketch.sex === 'F' && sketch.relationship !== '女');
    const current = employments.find((e) => e.end === null);
    return {
      nationalId: codes.claim('national-id', () => randomNationalId(random, city.letter, sketch.sex)),
      surname: sketch.surname,
      givenName: sketch.givenName,
      name: sketch.surname + sketch.givenName,
      romanisedName: romanise(sketch.surname, sketch.givenName),
      sex: sketch.sex,
      birthDate: sketch.birthDate,
      householdId,
      relationship: sketch.relationship,
      address: dwelling.address,
      registeredOn: '',
      ...kinOf(random, sketch, sketches),
      idCard: randomIdCard(random, sketch.birthDate, city.cardPlace),
      occupation: current?.jobTitle ?? null,
      employments,
      nhi: { kind: 'regional' },
      savings: [],
      shareholdings: [],
      vehicles: [],
      licence: null,
      violations: [],
      land: [],
      buildings: [],
      purchases: [],
      lowIncome: [],
    };
  });

  // Home: owned by the head, sometimes jointly with the spouse; registration follows the move.
  const ownChance = template === 'single' ? (headAge < 30 ? 0.1 : 0.4) : template === 'single-parent' ? 0.3 : 0.65;
  const earliestPurchase = maxDate(addYears(head.birthDate, 27), '1992-01-01');
  let movedIn: string;
  if (earliestPurchase < '2026-06-30' && random.chance(ownChance)) {
    const acquired = randomDateBetween(random, earliestPurchase, '2026-06-30');
    const cause = random.weighted([
      ['買賣', 80],
      ['繼承', 12],
      ['贈與', 8],
    ] as const);
    const whole = homeFor(random, dwelling, district, { acquired, cause });
    const spouse = citizens.find((c) => c.relationship === '配偶');
    const jointly = spouse !== undefined && cause === '買賣' && random.chance(0.3);
    const owners = jointly && spouse ? [citizens[0] as Citizen, spouse] : [citizens[0] as Citizen];
    for (const owner of owners) {
      const part = jointly ? ownedPart(whole, [1, 2]) : whole;
      owner.land.push(part.land);
      owner.buildings.push(part.building);
      if (part.purchase) owner.purchases.push(part.purchase);
    }
    movedIn = minDate(addDays(acquired, random.int(10, 90)), LAST_DAY);
  } else {
    movedIn = randomDateBetween(random, maxDate(addYears(head.birthDate, 20), '1998-01-01'), '2026-09-30');
  }

  for (const citizen of citizens) {
    citizen.registeredOn = minDate(maxDate(movedIn, addDays(citizen.birthDate, random.int(7, 30))), LAST_DAY);
    const age = ageOn(citizen.birthDate);
    if (age >= 20) {
      const salary = citizen.employments.find((e) => e.end === null)?.monthlySalary ?? 0;
      if (random.chance(0.9)) citizen.savings = randomSavings(random, 0.3 + salary / 50_000 + (age > 50 ? 0.8 : 0));
      if (age >= 25 && random.chance(0.3)) citizen.shareholdings = randomShareholdings(random);
      if (age <= 78) addVehicles(random, citizen, citizens, codes);
      if (age >= 40 && random.chance(0.12)) {
        citizen.land.push(randomFarmland(random, randomDateBetween(random, addYears(citizen.birthDate, 30), addDays(REFERENCE_DATE, -30))));
      }
    }
    if (citizen.licence === null && age >= 19 && age <= 75 && random.chance(0.45)) {
      citizen.licence = licenceFor(random, citizen.birthDate, random.chance(0.6) ? ['普通小型車', '普通重型機車'] : ['普通小型車']);
    }
  }
  return citizens;
}

function addVehicles(random: Random, citizen: Citizen, household: readonly Citizen[], codes: UniqueCodes): void {
  const employed = citizen.employments.some((e) => e.end === null);
  const householdCars = household.flatMap((c) => c.vehicles).filter((v) => v.kind === 'car').length;
  const from = maxDate(addYears(citizen.birthDate, 20), isoDate(2008, 1, 1));
  if (householdCars < 2 && random.chance(employed ? 0.5 : 0.15)) citizen.vehicles.push(randomVehicle(random, 'car', from, codes));
  if (random.chance(ageOn(citizen.birthDate) < 70 ? 0.5 : 0.15)) citizen.vehicles.push(randomVehicle(random, 'scooter', from, codes));
  if (citizen.vehicles.length === 0) return;
  const classes: LicenceClass['name'][] = [];
  if (citizen.vehicles.some((v) => v.kind === 'car')) classes.push('普通小型車');
  if (citizen.vehicles.some((v) => v.kind === 'scooter')) classes.push('普通重型機車');
  citizen.licence = licenceFor(random, citizen.birthDate, classes);
  for (const vehicle of citizen.vehicles) {
    if (random.chance(0.2)) citizen.violations.push(randomViolation(random, vehicle, citizen.address, codes));
  }
}
