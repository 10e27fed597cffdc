// The demo data sets, which agency serves each, and the fields of their records.
import type { FieldType } from '@openmydata/protocol';

export type FieldValue = string | number | boolean | null;

export interface DatasetRecords {
  records: Array<Record<string, FieldValue>>;
}

export type DatasetId =
  | 'household-personal'
  | 'household-whole'
  | 'id-card-image'
  | 'labour-insurance'
  | 'nhi-enrolment'
  | 'nhi-premiums'
  | 'income'
  | 'property'
  | 'income-tax-certificate'
  | 'vehicles'
  | 'driver-licence'
  | 'traffic-violations'
  | 'cadastral'
  | 'real-price'
  | 'low-income';

export type { FieldType };

export interface FieldDefinition {
  id: string;
  name: { 'zh-TW': string; en: string };
  /** Dates are ISO YYYY-MM-DD strings; images are base64 PNG. Any field may be null when it does not apply. */
  type: FieldType;
}

export type DemoAgencyId = 'moi-household' | 'bli' | 'nhia' | 'fia' | 'mvdis' | 'land' | 'sfaa';

export const DATASET_IDS: readonly DatasetId[] = [
  'household-personal',
  'household-whole',
  'id-card-image',
  'labour-insurance',
  'nhi-enrolment',
  'nhi-premiums',
  'income',
  'property',
  'income-tax-certificate',
  'vehicles',
  'driver-licence',
  'traffic-violations',
  'cadastral',
  'real-price',
  'low-income',
];

export const DATASET_AGENCY: Readonly<Record<DatasetId, DemoAgencyId>> = {
  'household-personal': 'moi-household',
  'household-whole': 'moi-household',
  'id-card-image': 'moi-household',
  'labour-insurance': 'bli',
  'nhi-enrolment': 'nhia',
  'nhi-premiums': 'nhia',
  income: 'fia',
  property: 'fia',
  'income-tax-certificate': 'fia',
  vehicles: 'mvdis',
  'driver-licence': 'mvdis',
  'traffic-violations': 'mvdis',
  cadastral: 'land',
  'real-price': 'land',
  'low-income': 'sfaa',
};

export const DATASET_NAMES: Readonly<Record<DatasetId, { 'zh-TW': string; en: string }>> = {
  'household-personal': { 'zh-TW': '個人戶籍資料', en: 'Personal household registration' },
  'household-whole': { 'zh-TW': '全戶戶籍資料', en: 'Whole-household registration' },
  'id-card-image': { 'zh-TW': '國民身分證影像', en: 'National ID card image' },
  'labour-insurance': { 'zh-TW': '勞保投保資料', en: 'Labour insurance enrolment' },
  'nhi-enrolment': { 'zh-TW': '健保投保資料', en: 'National health insurance enrolment' },
  'nhi-premiums': { 'zh-TW': '健保繳費資料', en: 'National health insurance premiums' },
  income: { 'zh-TW': '個人所得資料', en: 'Personal income' },
  property: { 'zh-TW': '財產資料', en: 'Property' },
  'income-tax-certificate': { 'zh-TW': '綜合所得稅納稅證明書', en: 'Individual income tax payment certificate' },
  vehicles: { 'zh-TW': '汽機車車籍資料', en: 'Vehicle registrations' },
  'driver-licence': { 'zh-TW': '駕駛執照資料', en: "Driver's licence" },
  'traffic-violations': { 'zh-TW': '交通違規資料', en: 'Unpaid traffic tickets' },
  cadastral: { 'zh-TW': '地籍資料', en: 'Land register' },
  'real-price': { 'zh-TW': '實價登錄', en: 'Actual-price register' },
  'low-income': { 'zh-TW': '低收入戶證明', en: 'Low-income household certificate' },
};

function field(id: string, zh: string, en: string, type: FieldType = 'string'): FieldDefinition {
  return { id, name: { 'zh-TW': zh, en }, type };
}

export const DATASET_FIELDS: Readonly<Record<DatasetId, FieldDefinition[]>> = {
  'household-personal': [
    field('name', '姓名', 'Name'),
    field('romanised_name', '外文姓名', 'Romanised name'),
    field('national_id', '統一編號', 'National ID number'),
    field('birth_date', '出生日期', 'Date of birth', 'date'),
    field('sex', '性別', 'Sex'),
    field('address', '戶籍地址', 'Registered address'),
    field('household_id', '戶號', 'Household number'),
    field('relationship', '稱謂', 'Relationship to household head'),
    field('registration_date', '遷入登記日期', 'Date registered at this address', 'date'),
    field('father_name', '父姓名', "Father's name"),
    field('mother_name', '母姓名', "Mother's name"),
    field('spouse_name', '配偶姓名', "Spouse's name"),
  ],
  'household-whole': [
    field('household_id', '戶號', 'Household number'),
    field('name', '姓名', 'Name'),
    field('national_id', '統一編號', 'National ID number'),
    field('relationship', '稱謂', 'Relationship to household head'),
    field('sex', '性別', 'Sex'),
    field('birth_date', '出生日期', 'Date of birth', 'date'),
    field('address', '戶籍地址', 'Registered address'),
    field('registration_date', '遷入登記日期', 'Date registered at this address', 'date'),
  ],
  'id-card-image': [
    field('name', '姓名', 'Name'),
    field('national_id', '統一編號', 'National ID number'),
    field('issue_date', '發證日期', 'Date of issue', 'date'),
    field('issue_place', '發證地點', 'Place of issue'),
    field('issue_type', '領補換類別', 'Issue type (first / renewal / replacement)'),
    field('image_png', '身分證影像', 'Card image', 'image'),
  ],
  'labour-insurance': [
    field('employer_name', '投保單位名稱', 'Employer'),
    field('employer_insurance_code', '投保單位保險證號', 'Employer insurance code'),
    field('start_date', '加保日期', 'Insured from', 'date'),
    field('end_date', '退保日期', 'Insured until', 'date'),
    field('insured_salary', '月投保薪資', 'Monthly insured salary (TWD)', 'number'),
  ],
  'nhi-enrolment': [
    field('category', '投保類別', 'Insurance category'),
    field('status', '投保身分', 'Insured as (self / dependant)'),
    field('insured_person_name', '被保險人姓名', 'Insured person'),
    field('insured_unit', '投保單位', 'Insured unit'),
    field('insured_amount', '投保金額', 'Insured amount (TWD)', 'number'),
    field('start_date', '加保日期', 'Enrolled from', 'date'),
    field('end_date', '退保日期', 'Enrolled until', 'date'),
    field('dependants', '眷屬', 'Dependants'),
  ],
  'nhi-premiums': [
    field('billing_month', '計費年月', 'Billing month (YYYY-MM)'),
    field('category', '投保類別', 'Insurance category'),
    field('insured_amount', '投保金額', 'Insured amount (TWD)', 'number'),
    field('dependants_count', '眷口數', 'Dependants charged', 'number'),
    field('premium', '應繳保險費', 'Premium (TWD)', 'number'),
    field('payer', '繳款單位', 'Paid by'),
    field('paid_date', '繳納日期', 'Date paid', 'date'),
    field('status', '繳納狀態', 'Status'),
  ],
  income: [
    field('tax_year', '所得年度', 'Tax year', 'year'),
    field('payer_name', '扣繳單位名稱', 'Payer'),
    field('payer_tax_id', '扣繳單位統一編號', 'Payer business number'),
    field('income_type', '所得類別', 'Income type'),
    field('income_code', '所得格式代號', 'Income format code'),
    field('amount', '給付總額', 'Gross amount (TWD)', 'number'),
    field('withholding', '扣繳稅額', 'Tax withheld (TWD)', 'number'),
  ],
  property: [
    field('category', '財產種類', 'Kind of property'),
    field('description', '財產說明', 'Description'),
    field('identifier', '坐落/門牌/車號/投資對象', 'Location, plate or company'),
    field('area_m2', '面積(平方公尺)', 'Area (m²)', 'number'),
    field('share', '持分', 'Ownership share'),
    field('quantity', '數量(股)', 'Quantity (shares)', 'number'),
    field('acquired_date', '取得日期', 'Acquired on', 'date'),
    field('assessed_value', '財產價值', 'Assessed value (TWD)', 'number'),
  ],
  'income-tax-certificate': [
    field('tax_year', '所得年度', 'Tax year', 'year'),
    field('taxpayer_name', '納稅義務人', 'Taxpayer'),
    field('spouse_name', '配偶', 'Spouse'),
    field('total_income', '綜合所得總額', 'Total income (TWD)', 'number'),
    field('exemptions', '免稅額', 'Exemptions (TWD)', 'number'),
    field('deductions', '扣除額', 'Deductions (TWD)', 'number'),
    field('net_taxable_income', '綜合所得淨額', 'Net taxable income (TWD)', 'number'),
    field('tax_payable', '應納稅額', 'Tax payable (TWD)', 'number'),
    field('tax_withheld', '扣繳稅額', 'Tax withheld (TWD)', 'number'),
    field('tax_paid', '自繳稅額', 'Tax paid on filing (TWD)', 'number'),
    field('tax_refund', '退稅額', 'Tax refunded (TWD)', 'number'),
    field('paid_date', '繳納日期', 'Date paid', 'date'),
    field('tax_office', '稽徵機關', 'Tax office'),
  ],
  vehicles: [
    field('plate', '車牌號碼', 'Plate number'),
    field('vehicle_type', '車種', 'Vehicle type'),
    field('make', '廠牌', 'Make'),
    field('model', '車型', 'Model'),
    field('engine_cc', '排氣量(cc)', 'Engine size (cc)', 'number'),
    field('manufacture_year', '出廠年份', 'Year of manufacture', 'year'),
    field('first_registration_date', '原發照日期', 'First registered', 'date'),
    field('status', '車籍狀態', 'Status'),
  ],
  'driver-licence': [
    field('licence_class', '駕照種類', 'Licence class'),
    field('issue_date', '發照日期', 'Issued on', 'date'),
    field('expiry_date', '有效日期', 'Valid until', 'date'),
    field('status', '駕照狀態', 'Status'),
    field('points', '違規記點', 'Penalty points', 'number'),
  ],
  'traffic-violations': [
    field('ticket_number', '違規單號', 'Ticket number'),
    field('violation_date', '違規日期', 'Date of offence', 'date'),
    field('place', '違規地點', 'Place'),
    field('plate', '車牌號碼', 'Plate number'),
    field('article', '違反法條', 'Article'),
    field('description', '違規事實', 'Offence'),
    field('fine', '罰鍰金額', 'Fine (TWD)', 'number'),
    field('due_date', '應到案日期', 'Due by', 'date'),
    field('status', '處理狀態', 'Status'),
  ],
  cadastral: [
    field('city', '縣市', 'City or county'),
    field('district', '鄉鎮市區', 'District or township'),
    field('section', '地段', 'Land section'),
    field('lot_number', '地號', 'Lot number'),
    field('land_use', '使用分區/編定', 'Zoning'),
    field('area_m2', '面積(平方公尺)', 'Area (m²)', 'number'),
    field('ownership_share', '權利範圍', 'Ownership share'),
    field('announced_value_per_m2', '公告土地現值(元/平方公尺)', 'Announced land value (TWD/m²)', 'number'),
    field('registration_date', '登記日期', 'Registered on', 'date'),
    field('registration_cause', '登記原因', 'Cause of registration'),
  ],
  'real-price': [
    field('transaction_date', '交易日期', 'Date of transaction', 'date'),
    field('address_range', '門牌範圍', 'Address range'),
    field('building_type', '建物型態', 'Building type'),
    field('floor', '移轉層次/總樓層', 'Floor / storeys'),
    field('total_price', '總價(元)', 'Total price (TWD)', 'number'),
    field('building_area_m2', '建物移轉面積(平方公尺)', 'Building area (m²)', 'number'),
    field('land_area_m2', '土地移轉面積(平方公尺)', 'Land area (m²)', 'number'),
    field('unit_price_per_m2', '單價(元/平方公尺)', 'Price per m² (TWD)', 'number'),
  ],
  'low-income': [
    field('category', '類別', 'Category'),
    field('household_head_name', '戶長姓名', 'Household head'),
    field('household_members', '家庭人口數', 'Household members', 'number'),
    field('valid_from', '核定起日', 'Valid from', 'date'),
    field('valid_to', '核定迄日', 'Valid until', 'date'),
    field('issuing_office', '核發機關', 'Issuing office'),
    field('status', '證明狀態', 'Status'),
  ],
};
