// The shape of one synthetic citizen: every data set is derived from these facts, so agencies never contradict each other.
import type { Sex } from './national-id.ts';
import { chineseNumeral } from './places.ts';

export type { Sex };

/** Relationship to the household head as written in the household register (稱謂). */
export type Relationship = '戶長' | '配偶' | '子' | '女' | '父' | '母';

export interface Address {
  zip: string;
  city: string;
  district: string;
  /** 里 */
  village: string;
  /** 鄰 */
  neighbourhood: number;
  road: string;
  /** 段; 0 when the road has no sections. */
  section: number;
  /** 巷 */
  lane: number | null;
  /** 號 */
  number: number;
  /** 樓; null for a whole house. */
  floor: number | null;
}

export interface Employment {
  employer: string;
  jobTitle: string;
  start: string;
  end: string | null;
  /** Monthly wage at the end of the period (or now), TWD. */
  monthlySalary: number;
}

export interface Vehicle {
  plate: string;
  kind: 'car' | 'scooter';
  make: string;
  model: string;
  engineCc: number;
  manufactureYear: number;
  firstRegistered: string;
  /** Price when new, TWD; the property data set depreciates it. */
  newPrice: number;
}

export interface LicenceClass {
  name: '普通小型車' | '普通重型機車';
  issued: string;
}

export interface DriverLicence {
  classes: LicenceClass[];
  /** Licences issued since 2013 run to the holder's 75th birthday. */
  expires: string;
}

export interface TrafficViolation {
  ticketNumber: string;
  date: string;
  place: string;
  plate: string;
  article: string;
  description: string;
  fine: number;
  points: number;
  dueDate: string;
}

export interface LandHolding {
  city: string;
  district: string;
  section: string;
  /** 地號, "母號-子號". */
  lotNumber: string;
  landUse: string;
  lotAreaM2: number;
  share: readonly [number, number];
  announcedValuePerM2: number;
  registered: string;
  cause: '買賣' | '繼承' | '贈與';
}

export type BuildingType = '公寓(5樓含以下無電梯)' | '華廈(10層含以下有電梯)' | '住宅大樓(11層含以上有電梯)' | '透天厝';

export interface Building {
  address: string;
  buildingType: BuildingType;
  areaM2: number;
  share: readonly [number, number];
  /** 房屋評定現值, TWD. */
  assessedValue: number;
  acquired: string;
}

/** A purchase recorded in the actual-price register (only those since August 2012 are). */
export interface HomePurchase {
  date: string;
  addressRange: string;
  buildingType: BuildingType;
  floorInfo: string;
  totalPrice: number;
  buildingAreaM2: number;
  landAreaM2: number;
}

export interface Savings {
  bank: string;
  deposit: number;
  /** Interest paid in the last tax year, TWD. */
  interest: number;
}

export interface Shareholding {
  company: string;
  shares: number;
  /** Cash dividend per share paid in the last tax year, TWD. */
  dividendPerShare: number;
}

export interface IdCard {
  issued: string;
  place: string;
  type: '初發' | '換發' | '補發';
}

/** How a person is covered by national health insurance now. */
export type NhiStatus = { kind: 'employee' } | { kind: 'dependant'; insuredId: string } | { kind: 'low-income' } | { kind: 'regional' };

export interface LowIncomeCertificate {
  category: '第一款' | '第二款' | '第三款' | '第四款' | '中低收入';
  headName: string;
  members: number;
  validFrom: string;
  validTo: string;
  office: string;
}

export interface Citizen {
  nationalId: string;
  surname: string;
  givenName: string;
  name: string;
  romanisedName: string;
  sex: Sex;
  birthDate: string;
  householdId: string;
  relationship: Relationship;
  /** The household address; the same object for every member. */
  address: Address;
  /** When the person was registered at this address (遷入登記). */
  registeredOn: string;
  fatherName: string | null;
  motherName: string | null;
  spouseName: string | null;
  idCard: IdCard | null;
  /** Current job title, null when not working. */
  occupation: string | null;
  employments: Employment[];
  nhi: NhiStatus;
  savings: Savings[];
  shareholdings: Shareholding[];
  vehicles: Vehicle[];
  licence: DriverLicence | null;
  violations: TrafficViolation[];
  land: LandHolding[];
  buildings: Building[];
  purchases: HomePurchase[];
  /** Current and past certificates of the person's household. */
  lowIncome: LowIncomeCertificate[];
}

export function formatAddress(a: Address): string {
  const section = a.section > 0 ? `${chineseNumeral(a.section)}段` : '';
  const lane = a.lane === null ? '' : `${a.lane}巷`;
  const floor = a.floor === null ? '' : `${a.floor}樓`;
  return `${a.city}${a.district}${a.village}${a.neighbourhood}鄰${a.road}${section}${lane}${a.number}號${floor}`;
}

/** The street part without 里 and 鄰, as used on deeds and in the actual-price register. */
export function formatStreetAddress(a: Address): string {
  const section = a.section > 0 ? `${chineseNumeral(a.section)}段` : '';
  const lane = a.lane === null ? '' : `${a.lane}巷`;
  const floor = a.floor === null ? '' : `${a.floor}樓`;
  return `${a.city}${a.district}${a.road}${section}${lane}${a.number}號${floor}`;
}

export function currentEmployment(citizen: Citizen): Employment | undefined {
  return citizen.employments.find((e) => e.end === null);
}
