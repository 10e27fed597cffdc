// Cars, scooters, driving licences and unpaid tickets for synthetic citizens.
import type { Address, DriverLicence, LicenceClass, TrafficViolation, Vehicle } from './citizen.ts';
import { randomDateBetween } from './random-dates.ts';
import { addDays, addYears, isoDate, maxDate, minDate, REFERENCE_DATE, yearOf } from './dates.ts';
import { chineseNumeral, findCity, findDistrict } from './places.ts';
import type { Random } from './random.ts';
import type { UniqueCodes } from './unique-codes.ts';

interface Model {
  make: string;
  model: string;
  engineCc: number;
  newPrice: number;
}

const CARS: readonly Model[] = [
  { make: '豐田', model: 'COROLLA CROSS', engineCc: 1798, newPrice: 860_000 },
  { make: '豐田', model: 'RAV4', engineCc: 2487, newPrice: 1_150_000 },
  { make: '豐田', model: 'YARIS', engineCc: 1496, newPrice: 620_000 },
  { make: '本田', model: 'CR-V', engineCc: 1498, newPrice: 1_100_000 },
  { make: '本田', model: 'FIT', engineCc: 1496, newPrice: 700_000 },
  { make: '日產', model: 'KICKS', engineCc: 1498, newPrice: 780_000 },
  { make: '馬自達', model: 'CX-5', engineCc: 1998, newPrice: 1_090_000 },
  { make: '福特', model: 'KUGA', engineCc: 1498, newPrice: 1_050_000 },
  { make: '三菱', model: 'OUTLANDER', engineCc: 2360, newPrice: 1_000_000 },
  { make: '凌志', model: 'NX200', engineCc: 1987, newPrice: 1_700_000 },
];

const SCOOTERS: readonly Model[] = [
  { make: '光陽', model: 'MANY 110', engineCc: 110, newPrice: 65_000 },
  { make: '光陽', model: 'GP 125', engineCc: 125, newPrice: 60_000 },
  { make: '三陽', model: 'JET SL 125', engineCc: 125, newPrice: 95_000 },
  { make: '三陽', model: '迪爵 125', engineCc: 125, newPrice: 62_000 },
  { make: '山葉', model: '新勁戰 125', engineCc: 125, newPrice: 88_000 },
];

// Plates skip I and O (confused with 1 and 0) and the digit 4 (unlucky).
const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const PLATE_DIGITS = '012356789';

export function randomVehicle(random: Random, kind: Vehicle['kind'], from: string, codes: UniqueCodes): Vehicle {
  const model = random.pick(kind === 'car' ? CARS : SCOOTERS);
  // Someone who turned 20 last week still registers before the reference date.
  const firstRegistered = minDate(randomDateBetween(random, from, addDays(REFERENCE_DATE, -30)), addDays(REFERENCE_DATE, -1));
  const plate = codes.claim('plate', () =>
    kind === 'car'
      ? `${random.chars(PLATE_LETTERS, 3)}-${random.chars(PLATE_DIGITS, 4)}`
      : `${random.chars(PLATE_DIGITS, 3)}-${random.chars(PLATE_LETTERS, 3)}`,
  );
  return {
    plate,
    kind,
    ...model,
    // Vehicles are registered in the year they are built or the year after.
    manufactureYear: yearOf(firstRegistered) - (random.chance(0.2) ? 1 : 0),
    firstRegistered,
  };
}

export function licenceFor(random: Random, birthDate: string, classes: ReadonlyArray<LicenceClass['name']>): DriverLicence {
  return {
    classes: classes.map((name) => ({
      name,
      issued: minDate(
        randomDateBetween(random, addYears(birthDate, 18), minDate(addYears(birthDate, 24), addDays(REFERENCE_DATE, -1))),
        addDays(REFERENCE_DATE, -1),
      ),
    })),
    expires: addYears(birthDate, 75),
  };
}

interface Offence {
  article: string;
  description: string;
  fine: Record<Vehicle['kind'], number>;
  points: number;
  kinds: ReadonlyArray<Vehicle['kind']>;
}

const OFFENCES: readonly Offence[] = [
  {
    article: '道路交通管理處罰條例第56條第1項',
    description: '在禁止臨時停車處所停車',
    fine: { car: 900, scooter: 600 },
    points: 0,
    kinds: ['car', 'scooter'],
  },
  {
    article: '道路交通管理處罰條例第40條',
    description: '行車速度超過規定之最高時速20公里以內',
    fine: { car: 1_600, scooter: 1_200 },
    points: 1,
    kinds: ['car', 'scooter'],
  },
  {
    article: '道路交通管理處罰條例第53條第1項',
    description: '駕車行經有燈光號誌管制之交岔路口闖紅燈',
    fine: { car: 2_700, scooter: 1_800 },
    points: 3,
    kinds: ['car', 'scooter'],
  },
  {
    article: '道路交通管理處罰條例第48條第2項',
    description: '機車未依標誌指示兩段方式左轉',
    fine: { car: 600, scooter: 600 },
    points: 0,
    kinds: ['scooter'],
  },
];

export function randomViolation(random: Random, vehicle: Vehicle, home: Address, codes: UniqueCodes): TrafficViolation {
  const offence = random.pick(OFFENCES.filter((o) => o.kinds.includes(vehicle.kind)));
  const date = randomDateBetween(random, maxDate(isoDate(2026, 4, 1), vehicle.firstRegistered), addDays(REFERENCE_DATE, -5));
  const district = findDistrict(findCity(home.city), home.district);
  const road = random.pick(district.roads);
  const section = road.sections.length > 0 ? `${chineseNumeral(random.pick(road.sections))}段` : '';
  return {
    ticketNumber: codes.claim('ticket', () => `${random.chars(PLATE_LETTERS, 2)}${random.chars('0123456789', 7)}`),
    date,
    place: `${home.city}${home.district}${road.name}${section}${random.int(1, 300)}號前`,
    plate: vehicle.plate,
    article: offence.article,
    description: offence.description,
    fine: offence.fine[vehicle.kind],
    points: offence.points,
    dueDate: addDays(date, 30),
  };
}
