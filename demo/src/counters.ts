// The demo's counters: offices of Taoyuan City, Hualien County and Chiayi County (where the real
// platform launched paperless counters) with fifteen counter services built on the demo catalogue's
// data sets, and a demo clerk and supervisor per office. The staff credentials are public demo
// values, printed by `npm start`; a real deployment makes accounts with `npm run operator -- counter staff add`.
type Localized = { 'zh-TW': string; en: string };

const s = (id: string, zh: string, en: string, purposeZh: string, purposeEn: string, datasets: string[]) => ({
  id,
  name: { 'zh-TW': zh, en } as Localized,
  purpose: { 'zh-TW': purposeZh, en: purposeEn } as Localized,
  datasets,
});

export const DEMO_COUNTERS = {
  governments: [
    {
      id: 'taoyuan',
      name: { 'zh-TW': '桃園市', en: 'Taoyuan City' },
      offices: [
        {
          id: 'taoyuan-social-affairs',
          name: { 'zh-TW': '桃園市政府社會局', en: 'Department of Social Welfare, Taoyuan City Government' },
          address: { 'zh-TW': '桃園市桃園區縣府路1號', en: '1 Xianfu Rd., Taoyuan District, Taoyuan City' },
          services: [
            s(
              'taoyuan-low-income',
              '低收入戶申請',
              'Low-income household application',
              '審核低收入戶資格（家庭成員、所得及財產）',
              'Assessing low-income household status (household members, income and property)',
              ['household-whole', 'income', 'property', 'cadastral'],
            ),
            s(
              'taoyuan-middle-low-income',
              '中低收入戶申請',
              'Lower-middle-income household application',
              '審核中低收入戶資格（家庭成員、所得及財產）',
              'Assessing lower-middle-income household status (household members, income and property)',
              ['household-whole', 'income', 'property'],
            ),
            s(
              'taoyuan-elderly-allowance',
              '中低收入老人生活津貼',
              'Living allowance for lower-income seniors',
              '審核老人生活津貼資格（戶籍、所得、財產及社會救助身分）',
              'Assessing the seniors’ living allowance (registration, income, property and assistance status)',
              ['household-personal', 'income', 'property', 'low-income'],
            ),
            s(
              'taoyuan-emergency-aid',
              '急難救助',
              'Emergency relief',
              '審核急難救助申請（家庭成員及社會救助身分）',
              'Assessing an emergency relief application (household members and assistance status)',
              ['household-whole', 'low-income'],
            ),
          ],
        },
        {
          id: 'taoyuan-zhongli-district',
          name: { 'zh-TW': '桃園市中壢區公所', en: 'Zhongli District Office, Taoyuan City' },
          address: { 'zh-TW': '桃園市中壢區延平路600號', en: '600 Yanping Rd., Zhongli District, Taoyuan City' },
          services: [
            s(
              'zhongli-childcare-allowance',
              '育兒津貼',
              'Childcare allowance',
              '審核育兒津貼資格（家庭成員及所得）',
              'Assessing the childcare allowance (household members and income)',
              ['household-whole', 'income-tax-certificate'],
            ),
            s(
              'zhongli-national-pension',
              '國民年金保險費補助',
              'National pension premium subsidy',
              '審核國民年金保險費補助（社會救助身分及勞保狀況）',
              'Assessing the national pension premium subsidy (assistance status and labour insurance)',
              ['household-personal', 'low-income', 'labour-insurance'],
            ),
          ],
        },
      ],
    },
    {
      id: 'hualien',
      name: { 'zh-TW': '花蓮縣', en: 'Hualien County' },
      offices: [
        {
          id: 'hualien-social-affairs',
          name: { 'zh-TW': '花蓮縣政府社會處', en: 'Department of Social Affairs, Hualien County Government' },
          address: { 'zh-TW': '花蓮縣花蓮市府前路17號', en: '17 Fuqian Rd., Hualien City, Hualien County' },
          services: [
            s(
              'hualien-low-income',
              '低收入戶申請',
              'Low-income household application',
              '審核低收入戶資格（家庭成員、所得及財產）',
              'Assessing low-income household status (household members, income and property)',
              ['household-whole', 'income', 'property', 'cadastral'],
            ),
            s(
              'hualien-disability-allowance',
              '身心障礙者生活補助',
              'Living subsidy for people with disabilities',
              '審核生活補助資格（戶籍、所得、財產及健保）',
              'Assessing the living subsidy (registration, income, property and health insurance)',
              ['household-whole', 'income', 'property', 'nhi-enrolment'],
            ),
            s(
              'hualien-special-family',
              '特殊境遇家庭扶助',
              'Support for families in special circumstances',
              '審核特殊境遇家庭扶助（家庭成員、所得及財產）',
              'Assessing support for families in special circumstances (household members, income and property)',
              ['household-whole', 'income', 'property'],
            ),
          ],
        },
        {
          id: 'hualien-city-office',
          name: { 'zh-TW': '花蓮縣花蓮市公所', en: 'Hualien City Office, Hualien County' },
          address: { 'zh-TW': '花蓮縣花蓮市林森路57號', en: '57 Linsen Rd., Hualien City, Hualien County' },
          services: [
            s(
              'hualien-city-rent-subsidy',
              '租金補貼',
              'Rent subsidy',
              '審核租金補貼資格（家庭成員、所得及名下不動產）',
              'Assessing the rent subsidy (household members, income and real estate held)',
              ['household-whole', 'income', 'cadastral'],
            ),
            s(
              'hualien-city-school-fees',
              '學生就學費用減免',
              'School fee reduction',
              '審核就學費用減免（家庭成員及社會救助身分）',
              'Assessing a school fee reduction (household members and assistance status)',
              ['household-whole', 'low-income'],
            ),
          ],
        },
      ],
    },
    {
      id: 'chiayi-county',
      name: { 'zh-TW': '嘉義縣', en: 'Chiayi County' },
      offices: [
        {
          id: 'chiayi-social-affairs',
          name: { 'zh-TW': '嘉義縣政府社會局', en: 'Department of Social Affairs, Chiayi County Government' },
          address: { 'zh-TW': '嘉義縣太保市祥和一路東段1號', en: '1 Xianghe 1st Rd. East Sec., Taibao City, Chiayi County' },
          services: [
            s(
              'chiayi-low-income',
              '低收入戶申請',
              'Low-income household application',
              '審核低收入戶資格（家庭成員、所得及財產）',
              'Assessing low-income household status (household members, income and property)',
              ['household-whole', 'income', 'property', 'cadastral'],
            ),
            s(
              'chiayi-elderly-allowance',
              '中低收入老人生活津貼',
              'Living allowance for lower-income seniors',
              '審核老人生活津貼資格（戶籍、所得、財產及社會救助身分）',
              'Assessing the seniors’ living allowance (registration, income, property and assistance status)',
              ['household-personal', 'income', 'property', 'low-income'],
            ),
          ],
        },
        {
          id: 'chiayi-minxiong-township',
          name: { 'zh-TW': '嘉義縣民雄鄉公所', en: 'Minxiong Township Office, Chiayi County' },
          address: { 'zh-TW': '嘉義縣民雄鄉和平路1號', en: '1 Heping Rd., Minxiong Township, Chiayi County' },
          services: [
            s(
              'minxiong-farmer-allowance',
              '老年農民福利津貼',
              'Welfare allowance for elderly farmers',
              '審核老農津貼資格（戶籍、所得及農地）',
              'Assessing the elderly farmers’ allowance (registration, income and farmland)',
              ['household-personal', 'income', 'cadastral'],
            ),
            s(
              'minxiong-disaster-relief',
              '災害救助',
              'Disaster relief',
              '審核災害救助申請（家庭成員及房屋）',
              'Assessing a disaster relief application (household members and housing)',
              ['household-whole', 'property', 'vehicles'],
            ),
          ],
        },
      ],
    },
  ],
};

/** The demo's counter staff: one clerk and one supervisor per office, with public demo credentials. */
export interface DemoStaff {
  id: string;
  officeId: string;
  role: 'clerk' | 'supervisor';
  password: string;
  /** Base32 TOTP secret (add it to any authenticator app, or: npm run demo-totp). */
  totpSecret: string;
}

export const DEMO_STAFF_PASSWORD = 'counter-demo-2026';

// Fixed, public demo secrets: 32 base32 characters each (160 bits), distinct per account.
const SECRETS = [
  'TAOYUANDEMOCLERKAAAAAAAAAAAAAAAA',
  'TAOYUANDEMOSUPERVISORAAAAAAAAAAA',
  'ZHONGLIDEMOCLERKAAAAAAAAAAAAAAAA',
  'ZHONGLIDEMOSUPERVISORAAAAAAAAAAA',
  'HUALIENDEMOCLERKAAAAAAAAAAAAAAAA',
  'HUALIENDEMOSUPERVISORAAAAAAAAAAA',
  'HUALIENCITYDEMOCLERKAAAAAAAAAAAA',
  'HUALIENCITYDEMOSUPERVISORAAAAAAA',
  'CHIAYIDEMOCLERKAAAAAAAAAAAAAAAAA',
  'CHIAYIDEMOSUPERVISORAAAAAAAAAAAA',
  'MINXIONGDEMOCLERKAAAAAAAAAAAAAAA',
  'MINXIONGDEMOSUPERVISORAAAAAAAAAA',
];

export const DEMO_STAFF: DemoStaff[] = DEMO_COUNTERS.governments
  .flatMap((g) => g.offices)
  .flatMap((office, i) => [
    { id: `clerk.${office.id}`, officeId: office.id, role: 'clerk' as const, password: DEMO_STAFF_PASSWORD, totpSecret: SECRETS[2 * i] as string },
    {
      id: `supervisor.${office.id}`,
      officeId: office.id,
      role: 'supervisor' as const,
      password: DEMO_STAFF_PASSWORD,
      totpSecret: SECRETS[2 * i + 1] as string,
    },
  ]);
