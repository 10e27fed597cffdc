// The two hand-written demo households. Their facts are fixed so that documentation, screenshots and tests can name them.
import type { Address, Citizen } from './citizen.ts';
import { formatStreetAddress } from './citizen.ts';
import { savingsOf } from './finances.ts';
import { withCheckDigit } from './national-id.ts';
import { romanise } from './names.ts';
import type { UniqueCodes } from './unique-codes.ts';

export interface DemoPersona {
  nationalId: string;
  name: string;
  /** One line for start-up banners and docs. */
  description: string;
}

/**
 * 王小明 (A123456789): software engineer in 臺北市大安區, married, two children, his widowed mother lives with
 * him. Owns a car, a scooter, his flat (bought 2017, so it is in the actual-price register) and half of a
 * farm plot in 宜蘭 inherited from his father. Has one unpaid parking ticket. Has data in every data set:
 * his parents' household held a 中低收入 certificate for 2008 while he was a student, which the
 * low-income data set still lists as expired.
 *
 * 林美華 (B287654326): single mother of two in 臺中市北屯區, cleaner on the minimum wage, renting, rides a
 * scooter; her household is a current 第三款 low-income household. She holds no land, no car and no tickets.
 * (B287654321 would fail the checksum; 6 is the check digit for B28765432.)
 */
export const DEMO_PERSONAS: readonly DemoPersona[] = [
  {
    nationalId: 'A123456789',
    name: '王小明',
    description: '王小明 · 臺北市大安區 · engineer, car + scooter, flat + farmland, unpaid ticket; data in all 15 data sets',
  },
  {
    nationalId: 'B287654326',
    name: '林美華',
    description: '林美華 · 臺中市北屯區 · single mother, cleaner, scooter; current 第三款 low-income household',
  },
];

const [WANG, LIN] = DEMO_PERSONAS as readonly [DemoPersona, DemoPersona];

type Draft = Omit<Citizen, 'romanisedName' | 'name' | 'nhi' | 'lowIncome'> & Partial<Pick<Citizen, 'lowIncome'>>;

function finish(draft: Draft): Citizen {
  return {
    ...draft,
    name: draft.surname + draft.givenName,
    romanisedName: romanise(draft.surname, draft.givenName),
    // Health insurance and low-income status are worked out for every household the same way, later.
    nhi: { kind: 'regional' },
    lowIncome: draft.lowIncome ?? [],
  };
}

const NONE = {
  idCard: null,
  occupation: null,
  employments: [],
  savings: [],
  shareholdings: [],
  vehicles: [],
  licence: null,
  violations: [],
  land: [],
  buildings: [],
  purchases: [],
} as const satisfies Partial<Citizen>;

function wangHousehold(): Citizen[] {
  const address: Address = {
    zip: '106',
    city: '臺北市',
    district: '大安區',
    village: '錦安里',
    neighbourhood: 8,
    road: '和平東路',
    section: 1,
    lane: 120,
    number: 5,
    floor: 3,
  };
  const household = { householdId: 'A1752038', address } as const;
  const movedIn = '2017-11-06';
  const flat = {
    address: formatStreetAddress(address),
    buildingType: '公寓(5樓含以下無電梯)',
    areaM2: 92.5,
    share: [1, 1],
    assessedValue: 418_600,
    acquired: '2017-10-31',
  } as const;
  return [
    finish({
      ...NONE,
      ...household,
      nationalId: WANG.nationalId,
      surname: '王',
      givenName: '小明',
      sex: 'M',
      birthDate: '1985-06-15',
      relationship: '戶長',
      registeredOn: movedIn,
      fatherName: '王建國',
      motherName: '李秀英',
      spouseName: '陳怡君',
      idCard: { issued: '2005-10-03', place: '北市', type: '換發' },
      occupation: '軟體工程師',
      employments: [
        { employer: '宏晟精密工業股份有限公司', jobTitle: '設備工程師', start: '2010-08-02', end: '2013-03-31', monthlySalary: 36_500 },
        { employer: '明昇科技股份有限公司', jobTitle: '軟體工程師', start: '2013-04-15', end: null, monthlySalary: 110_000 },
      ],
      savings: [savingsOf('福爾摩沙商業銀行股份有限公司', 800_000)],
      shareholdings: [{ company: '瑞祥電子股份有限公司', shares: 5_000, dividendPerShare: 3.5 }],
      vehicles: [
        {
          plate: 'BFR-2635',
          kind: 'car',
          make: '豐田',
          model: 'RAV4',
          engineCc: 2487,
          manufactureYear: 2021,
          firstRegistered: '2021-03-18',
          newPrice: 1_150_000,
        },
        {
          plate: '725-MXQ',
          kind: 'scooter',
          make: '三陽',
          model: 'JET SL 125',
          engineCc: 125,
          manufactureYear: 2019,
          firstRegistered: '2019-05-02',
          newPrice: 95_000,
        },
      ],
      licence: {
        classes: [
          { name: '普通重型機車', issued: '2003-07-10' },
          { name: '普通小型車', issued: '2004-08-20' },
        ],
        expires: '2060-06-15',
      },
      violations: [
        {
          ticketNumber: 'BZ3081726',
          date: '2026-10-08',
          place: '臺北市大安區復興南路一段219號前',
          plate: 'BFR-2635',
          article: '道路交通管理處罰條例第56條第1項',
          description: '在禁止臨時停車處所停車',
          fine: 900,
          points: 0,
          dueDate: '2026-11-07',
        },
      ],
      land: [
        {
          city: '臺北市',
          district: '大安區',
          section: '龍泉段二小段',
          lotNumber: '0512-0000',
          landUse: '住宅區',
          lotAreaM2: 1_036.42,
          share: [186, 10_000],
          announcedValuePerM2: 545_000,
          registered: '2017-10-31',
          cause: '買賣',
        },
        {
          city: '宜蘭縣',
          district: '員山鄉',
          section: '深溝段',
          lotNumber: '0318-0002',
          landUse: '特定農業區農牧用地',
          lotAreaM2: 2_412.57,
          share: [1, 2],
          announcedValuePerM2: 3_900,
          registered: '2015-11-20',
          cause: '繼承',
        },
      ],
      buildings: [flat],
      purchases: [
        {
          date: '2017-09-26',
          addressRange: '臺北市大安區和平東路一段120巷1~30號',
          buildingType: flat.buildingType,
          floorInfo: '三層/五層',
          totalPrice: 25_800_000,
          buildingAreaM2: 92.5,
          landAreaM2: 19.28,
        },
      ],
      lowIncome: [
        {
          category: '中低收入',
          headName: '王建國',
          members: 3,
          validFrom: '2008-01-01',
          validTo: '2008-12-31',
          office: '臺北市大安區公所',
        },
      ],
    }),
    finish({
      ...NONE,
      ...household,
      nationalId: withCheckDigit('A', '22761530'),
      surname: '陳',
      givenName: '怡君',
      sex: 'F',
      birthDate: '1987-11-02',
      relationship: '配偶',
      registeredOn: movedIn,
      fatherName: '陳明德',
      motherName: '黃淑貞',
      spouseName: '王小明',
      idCard: { issued: '2005-08-22', place: '北市', type: '換發' },
      employments: [{ employer: '正信聯合會計師事務所', jobTitle: '會計助理', start: '2011-07-01', end: '2019-05-31', monthlySalary: 37_000 }],
      savings: [savingsOf('信安商業銀行股份有限公司', 150_000)],
      licence: { classes: [{ name: '普通小型車', issued: '2008-03-15' }], expires: '2062-11-02' },
    }),
    finish({
      ...NONE,
      ...household,
      nationalId: withCheckDigit('A', '15029374'),
      surname: '王',
      givenName: '品睿',
      sex: 'M',
      birthDate: '2016-04-20',
      relationship: '子',
      registeredOn: movedIn,
      fatherName: '王小明',
      motherName: '陳怡君',
      spouseName: null,
    }),
    finish({
      ...NONE,
      ...household,
      nationalId: withCheckDigit('A', '23810562'),
      surname: '王',
      givenName: '語彤',
      sex: 'F',
      birthDate: '2019-08-09',
      relationship: '女',
      registeredOn: '2019-08-26',
      fatherName: '王小明',
      motherName: '陳怡君',
      spouseName: null,
    }),
    finish({
      ...NONE,
      ...household,
      nationalId: withCheckDigit('A', '20583917'),
      surname: '李',
      givenName: '秀英',
      sex: 'F',
      birthDate: '1957-02-11',
      relationship: '母',
      registeredOn: movedIn,
      fatherName: '李天賜',
      motherName: '張玉蘭',
      // Widowed: 王建國 died in 2015, which is when the farmland passed to his son.
      spouseName: null,
      idCard: { issued: '2005-11-14', place: '北市', type: '換發' },
      employments: [{ employer: '正信聯合會計師事務所', jobTitle: '會計助理', start: '1980-03-01', end: '2017-02-28', monthlySalary: 31_500 }],
      savings: [savingsOf('福爾摩沙商業銀行股份有限公司', 350_000)],
    }),
  ];
}

function linHousehold(): Citizen[] {
  const address: Address = {
    zip: '406',
    city: '臺中市',
    district: '北屯區',
    village: '平安里',
    neighbourhood: 12,
    road: '崇德路',
    section: 2,
    lane: 46,
    number: 18,
    floor: 4,
  };
  const household = { householdId: 'B0847261', address, registeredOn: '2020-03-16' } as const;
  return [
    finish({
      ...NONE,
      ...household,
      nationalId: LIN.nationalId,
      surname: '林',
      givenName: '美華',
      sex: 'F',
      birthDate: '1988-04-23',
      relationship: '戶長',
      fatherName: '林文雄',
      motherName: '黃秀琴',
      spouseName: null,
      idCard: { issued: '2021-01-20', place: '中市', type: '補發' },
      occupation: '清潔人員',
      employments: [
        { employer: '福泰便利商店股份有限公司', jobTitle: '門市人員', start: '2006-07-01', end: '2012-06-30', monthlySalary: 18_780 },
        { employer: '晨曦清潔服務有限公司', jobTitle: '清潔人員', start: '2021-02-01', end: null, monthlySalary: 29_500 },
      ],
      savings: [savingsOf('合盛商業銀行股份有限公司', 12_000)],
      vehicles: [
        {
          plate: '352-KRT',
          kind: 'scooter',
          make: '光陽',
          model: 'MANY 110',
          engineCc: 110,
          manufactureYear: 2015,
          firstRegistered: '2015-06-12',
          newPrice: 65_000,
        },
      ],
      licence: { classes: [{ name: '普通重型機車', issued: '2006-05-20' }], expires: '2063-04-23' },
    }),
    finish({
      ...NONE,
      ...household,
      nationalId: withCheckDigit('B', '13962085'),
      surname: '張',
      givenName: '宥廷',
      sex: 'M',
      birthDate: '2013-09-30',
      relationship: '子',
      fatherName: '張志豪',
      motherName: '林美華',
      spouseName: null,
    }),
    finish({
      ...NONE,
      ...household,
      nationalId: withCheckDigit('B', '20715398'),
      surname: '張',
      givenName: '芯語',
      sex: 'F',
      birthDate: '2016-12-05',
      relationship: '女',
      fatherName: '張志豪',
      motherName: '林美華',
      spouseName: null,
    }),
  ];
}

/** The persona households, with their fixed codes reserved so random households never reuse them. */
export function personaHouseholds(codes: UniqueCodes): Citizen[][] {
  const households = [wangHousehold(), linHousehold()];
  for (const id of new Set(households.flat().map((c) => c.householdId))) codes.reserve('household', id);
  for (const citizen of households.flat()) {
    codes.reserve('national-id', citizen.nationalId);
    codes.reserve('name', citizen.name);
    for (const vehicle of citizen.vehicles) codes.reserve('plate', vehicle.plate);
    for (const ticket of citizen.violations) codes.reserve('ticket', ticket.ticketNumber);
  }
  return households;
}
