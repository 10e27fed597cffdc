// The demo catalogue: seven agencies and fifteen data sets modelled on the real MyData catalogue.
// Names follow the agencies' own; descriptions say what a person gets. Fields come from the
// synthetic-data generator so the catalogue and the records can never disagree.
import type { DatasetId } from './population/records.ts';
import { DATASET_FIELDS } from './population/records.ts';

type Localized = { 'zh-TW': string; en: string };

export interface DemoDataset {
  id: DatasetId;
  name: Localized;
  description: Localized;
  category: string;
  minAssuranceLevel: 1 | 2 | 3 | 4;
  /** Seconds the agency needs; above zero the agency answers 202 first and the package comes later. */
  preparationSeconds: number;
}

export interface DemoAgency {
  id: string;
  name: Localized;
  /** Offset of the agency's port from the hub's port. */
  portOffset: number;
  maintenance: Array<{ days?: number[]; start: string; end: string; timeZone: string }>;
  datasets: DemoDataset[];
}

const d = (
  id: DatasetId,
  zh: string,
  en: string,
  descriptionZh: string,
  descriptionEn: string,
  category: string,
  minAssuranceLevel: 1 | 2 | 3 | 4,
  preparationSeconds = 0,
): DemoDataset => ({
  id,
  name: { 'zh-TW': zh, en },
  description: { 'zh-TW': descriptionZh, en: descriptionEn },
  category,
  minAssuranceLevel,
  preparationSeconds,
});

export const DEMO_AGENCIES: DemoAgency[] = [
  {
    id: 'moi-household',
    name: { 'zh-TW': '內政部戶政司', en: 'Department of Household Registration, Ministry of the Interior' },
    portOffset: 11,
    maintenance: [],
    datasets: [
      d(
        'household-personal',
        '個人戶籍資料',
        'Household registration (personal)',
        '本人戶籍登記事項，包括姓名、出生日期、戶籍地址、父母及配偶姓名。',
        'Your own household registration: name, birth date, registered address, parents and spouse.',
        'household',
        2,
      ),
      d(
        'household-whole',
        '全戶戶籍資料',
        'Household registration (whole household)',
        '同一戶內所有成員的戶籍登記事項與稱謂。',
        'Registration details of every member of your household and their relationship to the head.',
        'household',
        2,
      ),
      d(
        'id-card-image',
        '國民身分證影像',
        'National ID card image',
        '最近一次申請國民身分證的相片影像與發證紀錄。',
        'The image and issue record of your most recent national ID card.',
        'household',
        1,
      ),
    ],
  },
  {
    id: 'bli',
    name: { 'zh-TW': '勞動部勞工保險局', en: 'Bureau of Labor Insurance, Ministry of Labor' },
    portOffset: 12,
    maintenance: [],
    datasets: [
      d(
        'labour-insurance',
        '勞保投保資料',
        'Labour insurance history',
        '歷年勞工保險投保單位、投保期間與投保薪資等級。',
        'Every labour insurance enrolment: employer, period and insured salary grade.',
        'employment',
        3,
      ),
    ],
  },
  {
    id: 'nhia',
    name: { 'zh-TW': '衛生福利部中央健康保險署', en: 'National Health Insurance Administration' },
    portOffset: 13,
    maintenance: [],
    datasets: [
      d(
        'nhi-enrolment',
        '健保投保資料',
        'NHI enrolment',
        '全民健康保險投保類別、投保單位與眷屬。',
        'National Health Insurance category, insured unit and dependants.',
        'health',
        3,
      ),
      d('nhi-premiums', '健保繳費資料', 'NHI premium payments', '最近十二個月的健保費繳納紀錄。', 'Premium payments of the last twelve months.', 'health', 3),
    ],
  },
  {
    id: 'fia',
    name: { 'zh-TW': '財政部財政資訊中心', en: 'Fiscal Information Agency, Ministry of Finance' },
    portOffset: 14,
    maintenance: [],
    datasets: [
      d(
        'income',
        '個人所得資料',
        'Income by year',
        '最近年度各類所得：給付單位、所得類別、金額與扣繳稅額。',
        'Income of the latest tax year by payer and kind, with tax withheld.',
        'tax',
        2,
      ),
      d(
        'property',
        '財產資料',
        'Property',
        '名下土地、房屋、車輛與投資的財產歸戶資料。',
        'Land, buildings, vehicles and investments registered to you, with assessed values.',
        'tax',
        2,
      ),
      d(
        'income-tax-certificate',
        '綜合所得稅納稅證明書',
        'Comprehensive income tax certificate',
        '最近年度綜合所得稅結算申報與繳納證明。由稽徵機關即時產製，約需數秒。',
        'Proof of filing and payment of the latest comprehensive income tax. Prepared on request; takes a few seconds.',
        'tax',
        2,
        4,
      ),
    ],
  },
  {
    id: 'mvdis',
    name: { 'zh-TW': '交通部公路局', en: 'Highway Bureau, Ministry of Transportation and Communications' },
    portOffset: 15,
    maintenance: [],
    datasets: [
      d(
        'vehicles',
        '汽機車車籍資料',
        'Vehicle registration',
        '名下汽車、機車的車牌、廠牌、排氣量與車籍狀態。',
        'Cars and scooters registered to you: plate, make, engine size and status.',
        'transport',
        3,
      ),
      d(
        'driver-licence',
        '駕駛執照資料',
        'Driver licence',
        '駕照種類、發照與有效日期、違規記點。',
        'Licence classes, issue and expiry dates, penalty points.',
        'transport',
        3,
      ),
      d('traffic-violations', '交通違規資料', 'Traffic violations', '尚未結案的交通違規罰單。', 'Traffic tickets not yet settled.', 'transport', 3),
    ],
  },
  {
    id: 'land',
    name: { 'zh-TW': '內政部地政司', en: 'Department of Land Administration, Ministry of the Interior' },
    portOffset: 16,
    // A nightly window like the real registry's; `npm start -- --maintenance-now` opens one at once.
    maintenance: [{ start: '02:00', end: '02:30', timeZone: 'Asia/Taipei' }],
    datasets: [
      d(
        'cadastral',
        '地籍資料',
        'Cadastral records',
        '名下土地的段、地號、面積、權利範圍與公告土地現值。',
        'Land parcels you hold: section, lot number, area, share and announced value.',
        'land',
        2,
      ),
      d(
        'real-price',
        '實價登錄資料',
        'Real-price registration',
        '與您有關的不動產成交實價登錄。',
        'Real-price registrations of property transactions you were party to.',
        'land',
        2,
      ),
    ],
  },
  {
    id: 'sfaa',
    name: { 'zh-TW': '衛生福利部社會救助及社工司', en: 'Department of Social Assistance and Social Work, Ministry of Health and Welfare' },
    portOffset: 17,
    maintenance: [],
    datasets: [
      d(
        'low-income',
        '低收入戶證明',
        'Low-income household certificate',
        '低收入戶或中低收入戶資格、款別、核定期間與核定機關。',
        'Low-income or lower-middle-income household status, category, validity and issuing office.',
        'welfare',
        2,
        0,
      ),
    ],
  },
];

export function fieldsOf(id: DatasetId) {
  return DATASET_FIELDS[id];
}

export function registryFor(hubPort: number, host = '127.0.0.1', maintenanceNow = false) {
  return registryWith(
    (agency) => `http://${host}:${hubPort + agency.portOffset}`,
    (agency) => (maintenanceNow && agency.id === 'land' ? ALL_DAY : agency.maintenance),
  );
}

/** Two touching windows covering every minute of the day: the agency is in maintenance now. */
export const ALL_DAY = [
  { start: '00:00', end: '12:00', timeZone: 'Asia/Taipei' },
  { start: '12:00', end: '00:00', timeZone: 'Asia/Taipei' },
];

/** The registry file the hub loads, for agencies at the given URLs. */
export function registryWith(urlOf: (agency: DemoAgency) => string, maintenanceOf: (agency: DemoAgency) => DemoAgency['maintenance'] = (a) => a.maintenance) {
  return {
    agencies: DEMO_AGENCIES.map((agency) => ({
      id: agency.id,
      name: agency.name,
      base_url: urlOf(agency),
      maintenance: maintenanceOf(agency),
      datasets: agency.datasets.map((ds) => ({
        id: ds.id,
        name: ds.name,
        description: ds.description,
        category: ds.category,
        fields: fieldsOf(ds.id),
        formats: ['json', 'pdf'] as Array<'json' | 'pdf'>,
        min_assurance_level: ds.minAssuranceLevel,
        typical_preparation_seconds: ds.preparationSeconds,
      })),
    })),
  };
}
