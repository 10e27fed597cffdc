// Addresses, owned homes and farmland: one home yields a land share, a building, and possibly an actual-price record.
import type { Address, Building, BuildingType, HomePurchase, LandHolding } from './citizen.ts';
import { formatStreetAddress } from './citizen.ts';
import { yearOf } from './dates.ts';
import { chineseNumeral, type City, type District, RURAL_AREAS } from './places.ts';
import type { Random } from './random.ts';

const HOUSING_BY_CITY: Readonly<Record<string, ReadonlyArray<readonly [BuildingType, number]>>> = {
  臺北市: [
    ['公寓(5樓含以下無電梯)', 4],
    ['華廈(10層含以下有電梯)', 3],
    ['住宅大樓(11層含以上有電梯)', 3],
  ],
  新北市: [
    ['公寓(5樓含以下無電梯)', 3],
    ['華廈(10層含以下有電梯)', 2],
    ['住宅大樓(11層含以上有電梯)', 4],
  ],
  桃園市: [
    ['住宅大樓(11層含以上有電梯)', 4],
    ['華廈(10層含以下有電梯)', 2],
    ['透天厝', 2],
  ],
  新竹市: [
    ['住宅大樓(11層含以上有電梯)', 4],
    ['華廈(10層含以下有電梯)', 2],
    ['透天厝', 2],
  ],
  臺中市: [
    ['住宅大樓(11層含以上有電梯)', 4],
    ['華廈(10層含以下有電梯)', 2],
    ['透天厝', 3],
  ],
  臺南市: [
    ['透天厝', 4],
    ['住宅大樓(11層含以上有電梯)', 3],
    ['華廈(10層含以下有電梯)', 2],
  ],
  高雄市: [
    ['透天厝', 4],
    ['住宅大樓(11層含以上有電梯)', 3],
    ['華廈(10層含以下有電梯)', 2],
  ],
};

interface Shape {
  storeys: readonly [number, number];
  unitAreaM2: readonly [number, number];
  /** Land under one flat; a house owns its whole lot. */
  unitLandM2: readonly [number, number];
  /** Construction cost basis for the assessed value, TWD per m². */
  costPerM2: number;
}

const SHAPES: Readonly<Record<BuildingType, Shape>> = {
  '公寓(5樓含以下無電梯)': { storeys: [4, 5], unitAreaM2: [65, 120], unitLandM2: [18, 35], costPerM2: 3_500 },
  '華廈(10層含以下有電梯)': { storeys: [7, 10], unitAreaM2: [80, 150], unitLandM2: [12, 25], costPerM2: 5_000 },
  '住宅大樓(11層含以上有電梯)': { storeys: [12, 28], unitAreaM2: [90, 200], unitLandM2: [8, 20], costPerM2: 6_500 },
  透天厝: { storeys: [3, 4], unitAreaM2: [150, 280], unitLandM2: [70, 160], costPerM2: 4_000 },
};

export interface Dwelling {
  address: Address;
  buildingType: BuildingType;
  storeys: number;
}

export function randomDwelling(random: Random, city: City, district: District): Dwelling {
  const housing = HOUSING_BY_CITY[city.name] ?? [['住宅大樓(11層含以上有電梯)', 1] as const];
  const buildingType = random.weighted(housing);
  const shape = SHAPES[buildingType];
  const storeys = random.int(...shape.storeys);
  const road = random.pick(district.roads);
  return {
    buildingType,
    storeys,
    address: {
      zip: district.zip,
      city: city.name,
      district: district.name,
      village: random.pick(district.villages),
      neighbourhood: random.int(1, 30),
      road: road.name,
      section: road.sections.length > 0 ? random.pick(road.sections) : 0,
      lane: random.chance(buildingType === '住宅大樓(11層含以上有電梯)' ? 0.3 : 0.65) ? random.int(2, 300) : null,
      number: random.int(1, 320),
      floor: buildingType === '透天厝' ? null : random.int(buildingType === '公寓(5樓含以下無電梯)' ? 1 : 2, storeys),
    },
  };
}

function pad4(n: number): string {
  return String(n).padStart(4, '0');
}

function randomLotNumber(random: Random): string {
  return `${pad4(random.int(1, 1500))}-${pad4(random.chance(0.6) ? 0 : random.int(1, 30))}`;
}

function roundTo(n: number, step: number): number {
  return Math.round(n / step) * step;
}

/** Areas are registered to the hundredth of a square metre. */
function area(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Multiplies a land share by an ownership share, keeping the deed's 1/10000-style denominator where possible. */
function partOf(share: readonly [number, number], owned: readonly [number, number]): [number, number] {
  const numerator = share[0] * owned[0];
  if (numerator % owned[1] === 0) return [numerator / owned[1], share[1]];
  return [numerator, share[1] * owned[1]];
}

export interface Home {
  land: LandHolding;
  building: Building;
  purchase: HomePurchase | null;
}

export interface HomeDeal {
  acquired: string;
  cause: LandHolding['cause'];
}

/** The actual-price register started on 1 August 2012; earlier sales are not in it. */
const ACTUAL_PRICE_REGISTER_START = '2012-08-01';

/** A whole flat or house with its land share, as bought or inherited by one owner. */
export function homeFor(random: Random, dwelling: Dwelling, district: District, deal: HomeDeal): Home {
  const { address, buildingType, storeys } = dwelling;
  const shape = SHAPES[buildingType];
  const isHouse = buildingType === '透天厝';
  const unitLand = random.int(shape.unitLandM2[0] * 100, shape.unitLandM2[1] * 100) / 100;
  const lotArea = isHouse ? unitLand : area(random.int(600, 2_500) + random.next());
  const unitShare: [number, number] = isHouse ? [1, 1] : [Math.max(1, Math.round((unitLand / lotArea) * 10_000)), 10_000];
  const unitArea = random.int(shape.unitAreaM2[0] * 100, shape.unitAreaM2[1] * 100) / 100;
  const age = random.int(3, 45);
  const depreciation = Math.max(0.3, 1 - age * 0.015);
  const wholeAssessed = roundTo(unitArea * shape.costPerM2 * depreciation, 100);
  const land: LandHolding = {
    city: address.city,
    district: address.district,
    section: random.pick(district.landSections),
    lotNumber: randomLotNumber(random),
    landUse: '住宅區',
    lotAreaM2: lotArea,
    share: unitShare,
    announcedValuePerM2: roundTo(random.int(...district.landValuePerM2), 100),
    registered: deal.acquired,
    cause: deal.cause,
  };
  const building: Building = {
    address: formatStreetAddress(address),
    buildingType,
    areaM2: unitArea,
    share: [1, 1],
    assessedValue: wholeAssessed,
    acquired: deal.acquired,
  };
  let purchase: HomePurchase | null = null;
  if (deal.cause === '買賣' && deal.acquired >= ACTUAL_PRICE_REGISTER_START) {
    // Prices rose roughly half again between 2012 and 2026.
    const trend = 0.65 + (0.35 * (yearOf(deal.acquired) - 2012)) / 14;
    const unitPrice = random.int(...district.homePricePerM2) * trend;
    const low = Math.floor((address.number - 1) / 30) * 30 + 1;
    const section = address.section > 0 ? `${chineseNumeral(address.section)}段` : '';
    const lane = address.lane === null ? '' : `${address.lane}巷`;
    purchase = {
      date: deal.acquired,
      addressRange: `${address.city}${address.district}${address.road}${section}${lane}${low}~${low + 29}號`,
      buildingType,
      floorInfo: isHouse ? `全/${chineseNumeral(storeys)}層` : `${chineseNumeral(address.floor ?? 1)}層/${chineseNumeral(storeys)}層`,
      totalPrice: roundTo(unitArea * unitPrice, 10_000),
      buildingAreaM2: unitArea,
      landAreaM2: area((lotArea * unitShare[0]) / unitShare[1]),
    };
  }
  return { land, building, purchase };
}

/** One co-owner's part of a home bought together, e.g. [1, 2] for each of a couple. */
export function ownedPart(home: Home, owned: readonly [number, number]): Home {
  return {
    land: { ...home.land, share: partOf(home.land.share, owned) },
    building: {
      ...home.building,
      share: partOf(home.building.share, owned),
      assessedValue: roundTo((home.building.assessedValue * owned[0]) / owned[1], 100),
    },
    purchase: home.purchase,
  };
}

/** Farmland inherited from a parent, usually shared with siblings. */
export function randomFarmland(random: Random, inherited: string): LandHolding {
  const rural = random.pick(RURAL_AREAS);
  const heirs = random.int(1, 4);
  return {
    city: rural.county,
    district: rural.township,
    section: random.pick(rural.landSections),
    lotNumber: randomLotNumber(random),
    landUse: random.pick(['特定農業區農牧用地', '一般農業區農牧用地']),
    lotAreaM2: area(random.int(600, 4_800) + random.next()),
    share: [1, heirs],
    announcedValuePerM2: roundTo(random.int(...rural.landValuePerM2), 100),
    registered: inherited,
    cause: '繼承',
  };
}
