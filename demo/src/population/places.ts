// Real city, district, village and road names for synthetic addresses and land parcels; house numbers are random.

export interface Road {
  name: string;
  /** The road's numbered sections (段) inside this district; empty when it has none. */
  sections: readonly number[];
}

export interface District {
  name: string;
  zip: string;
  villages: readonly string[];
  roads: readonly Road[];
  /** Cadastral sections (地段) used for parcel numbers. */
  landSections: readonly string[];
  /** Announced land value (公告土地現值), TWD per m², urban residential land. */
  landValuePerM2: readonly [number, number];
  /** Market price of homes around 2025, TWD per m² of building area. */
  homePricePerM2: readonly [number, number];
}

export interface City {
  name: string;
  /** National ID letter of people first registered here. */
  letter: string;
  /** The abbreviation printed as the issue place on ID cards. */
  cardPlace: string;
  /** Monthly low-income threshold per person for 2026 (最低生活費), TWD. */
  lowIncomeThreshold: number;
  /** Which national tax bureau branch serves residents, given their district. */
  taxOffice: (district: string) => string;
  districts: readonly District[];
}

export interface RuralArea {
  county: string;
  township: string;
  landSections: readonly string[];
  /** Announced value of farmland, TWD per m². */
  landValuePerM2: readonly [number, number];
}

export const CITIES: readonly City[] = [
  {
    name: '臺北市',
    letter: 'A',
    cardPlace: '北市',
    lowIncomeThreshold: 20_379,
    taxOffice: (district) => `財政部臺北國稅局${district.replace(/區$/, '')}分局`,
    districts: [
      {
        name: '大安區',
        zip: '106',
        villages: ['錦安里', '龍安里', '光武里', '仁慈里', '和安里', '通化里', '臨江里', '法治里'],
        roads: [
          { name: '和平東路', sections: [1, 2, 3] },
          { name: '復興南路', sections: [1, 2] },
          { name: '信義路', sections: [3, 4] },
          { name: '敦化南路', sections: [1, 2] },
          { name: '新生南路', sections: [1, 2, 3] },
        ],
        landSections: ['仁愛段三小段', '敦化段一小段', '龍泉段二小段', '學府段四小段'],
        landValuePerM2: [420_000, 780_000],
        homePricePerM2: [280_000, 400_000],
      },
      {
        name: '信義區',
        zip: '110',
        villages: ['三張里', '興雅里', '西村里', '中興里', '三犁里', '景勤里'],
        roads: [
          { name: '松仁路', sections: [] },
          { name: '基隆路', sections: [1] },
          { name: '松山路', sections: [] },
          { name: '忠孝東路', sections: [4, 5] },
        ],
        landSections: ['三興段一小段', '永春段二小段', '福德段三小段'],
        landValuePerM2: [380_000, 700_000],
        homePricePerM2: [260_000, 380_000],
      },
      {
        name: '士林區',
        zip: '111',
        villages: ['福林里', '蘭雅里', '天母里', '三玉里', '芝山里'],
        roads: [
          { name: '中正路', sections: [] },
          { name: '士東路', sections: [] },
          { name: '天母東路', sections: [] },
          { name: '文林路', sections: [] },
        ],
        landSections: ['芝山段一小段', '蘭雅段二小段', '福林段三小段'],
        landValuePerM2: [220_000, 420_000],
        homePricePerM2: [190_000, 280_000],
      },
    ],
  },
  {
    name: '新北市',
    letter: 'F',
    cardPlace: '新北市',
    lowIncomeThreshold: 16_900,
    taxOffice: (district) => `財政部北區國稅局${district.replace(/區$/, '')}分局`,
    districts: [
      {
        name: '板橋區',
        zip: '220',
        villages: ['留侯里', '新埔里', '江翠里', '文化里', '港嘴里', '華江里'],
        roads: [
          { name: '文化路', sections: [1, 2] },
          { name: '中山路', sections: [1] },
          { name: '四川路', sections: [1, 2] },
          { name: '民生路', sections: [1, 2, 3] },
        ],
        landSections: ['新埔段', '江翠段', '府中段', '溪崑段'],
        landValuePerM2: [130_000, 260_000],
        homePricePerM2: [160_000, 230_000],
      },
      {
        name: '永和區',
        zip: '234',
        villages: ['竹林里', '秀朗里', '得和里', '保順里', '民權里'],
        roads: [
          { name: '永和路', sections: [1, 2] },
          { name: '中正路', sections: [] },
          { name: '竹林路', sections: [] },
          { name: '福和路', sections: [] },
        ],
        landSections: ['永和段', '秀朗段', '福和段'],
        landValuePerM2: [150_000, 280_000],
        homePricePerM2: [170_000, 240_000],
      },
      {
        name: '新莊區',
        zip: '242',
        villages: ['中港里', '思源里', '文德里', '化成里', '福基里'],
        roads: [
          { name: '中正路', sections: [] },
          { name: '思源路', sections: [] },
          { name: '新泰路', sections: [] },
          { name: '中華路', sections: [1, 2] },
        ],
        landSections: ['頭前段', '思源段', '中港段'],
        landValuePerM2: [90_000, 200_000],
        homePricePerM2: [140_000, 200_000],
      },
    ],
  },
  {
    name: '桃園市',
    letter: 'H',
    cardPlace: '桃市',
    lowIncomeThreshold: 16_768,
    taxOffice: () => '財政部北區國稅局桃園分局',
    districts: [
      {
        name: '桃園區',
        zip: '330',
        villages: ['中成里', '文化里', '長美里', '大興里', '莊敬里'],
        roads: [
          { name: '中正路', sections: [] },
          { name: '復興路', sections: [] },
          { name: '民生路', sections: [] },
          { name: '經國路', sections: [] },
        ],
        landSections: ['中路段', '小檜溪段', '大興段'],
        landValuePerM2: [50_000, 120_000],
        homePricePerM2: [95_000, 140_000],
      },
      {
        name: '中壢區',
        zip: '320',
        villages: ['中堅里', '興南里', '龍興里', '自立里', '仁美里'],
        roads: [
          { name: '中山路', sections: [] },
          { name: '中華路', sections: [1, 2] },
          { name: '環北路', sections: [] },
          { name: '元化路', sections: [] },
        ],
        landSections: ['青埔段', '中壢段', '興南段'],
        landValuePerM2: [40_000, 100_000],
        homePricePerM2: [85_000, 125_000],
      },
    ],
  },
  {
    name: '臺中市',
    letter: 'B',
    cardPlace: '中市',
    lowIncomeThreshold: 15_518,
    taxOffice: (district) => `財政部中區國稅局${district === '西屯區' || district === '南屯區' ? '民權' : '臺中'}分局`,
    districts: [
      {
        name: '北屯區',
        zip: '406',
        villages: ['仁美里', '平安里', '松竹里', '同榮里', '水湳里', '軍功里'],
        roads: [
          { name: '崇德路', sections: [1, 2, 3] },
          { name: '文心路', sections: [4] },
          { name: '北屯路', sections: [] },
          { name: '松竹路', sections: [1, 2] },
        ],
        landSections: ['平和段', '松竹段', '同榮段', '水湳段'],
        landValuePerM2: [60_000, 140_000],
        homePricePerM2: [110_000, 160_000],
      },
      {
        name: '西屯區',
        zip: '407',
        villages: ['福安里', '協和里', '西平里', '林厝里', '上石里'],
        roads: [
          { name: '臺灣大道', sections: [3, 4] },
          { name: '福星路', sections: [] },
          { name: '西屯路', sections: [2, 3] },
          { name: '河南路', sections: [2, 3] },
        ],
        landSections: ['惠來段', '上石碑段', '福安段'],
        landValuePerM2: [80_000, 180_000],
        homePricePerM2: [120_000, 180_000],
      },
      {
        name: '大里區',
        zip: '412',
        villages: ['大里里', '東昇里', '中新里', '國光里'],
        roads: [
          { name: '中興路', sections: [1, 2] },
          { name: '國光路', sections: [1, 2] },
          { name: '德芳南路', sections: [] },
        ],
        landSections: ['大里段', '東昇段', '國光段'],
        landValuePerM2: [35_000, 80_000],
        homePricePerM2: [80_000, 115_000],
      },
    ],
  },
  {
    name: '臺南市',
    letter: 'D',
    cardPlace: '南市',
    lowIncomeThreshold: 14_230,
    taxOffice: () => '財政部南區國稅局臺南分局',
    districts: [
      {
        name: '東區',
        zip: '701',
        villages: ['大學里', '東門里', '崇明里', '德光里', '大同里'],
        roads: [
          { name: '東門路', sections: [1, 2, 3] },
          { name: '長榮路', sections: [1] },
          { name: '崇明路', sections: [] },
          { name: '裕農路', sections: [] },
        ],
        landSections: ['東門段', '崇明段', '大同段'],
        landValuePerM2: [45_000, 110_000],
        homePricePerM2: [80_000, 120_000],
      },
      {
        name: '永康區',
        zip: '710',
        villages: ['大橋里', '復華里', '東橋里', '永明里'],
        roads: [
          { name: '中華路', sections: [] },
          { name: '中正南路', sections: [] },
          { name: '永大路', sections: [1, 2] },
        ],
        landSections: ['大橋段', '復華段', '永康段'],
        landValuePerM2: [30_000, 75_000],
        homePricePerM2: [70_000, 105_000],
      },
    ],
  },
  {
    name: '高雄市',
    letter: 'E',
    cardPlace: '高市',
    lowIncomeThreshold: 14_419,
    taxOffice: (district) => `財政部高雄國稅局${district.replace(/區$/, '')}稽徵所`,
    districts: [
      {
        name: '苓雅區',
        zip: '802',
        villages: ['林德里', '光華里', '五權里', '福壽里', '凱旋里'],
        roads: [
          { name: '四維三路', sections: [] },
          { name: '中正一路', sections: [] },
          { name: '光華一路', sections: [] },
          { name: '三多二路', sections: [] },
        ],
        landSections: ['五塊厝段', '林德段', '光華段'],
        landValuePerM2: [60_000, 150_000],
        homePricePerM2: [85_000, 130_000],
      },
      {
        name: '左營區',
        zip: '813',
        villages: ['新上里', '菜公里', '新光里', '福山里'],
        roads: [
          { name: '博愛二路', sections: [] },
          { name: '自由二路', sections: [] },
          { name: '重愛路', sections: [] },
        ],
        landSections: ['新庄段', '菜公段', '福山段'],
        landValuePerM2: [55_000, 130_000],
        homePricePerM2: [90_000, 135_000],
      },
      {
        name: '鳳山區',
        zip: '830',
        villages: ['文山里', '曹公里', '南興里', '誠義里'],
        roads: [
          { name: '光復路', sections: [1, 2] },
          { name: '青年路', sections: [1, 2] },
          { name: '中山西路', sections: [] },
        ],
        landSections: ['文山段', '鳳山段', '誠義段'],
        landValuePerM2: [35_000, 90_000],
        homePricePerM2: [70_000, 105_000],
      },
    ],
  },
  {
    name: '新竹市',
    letter: 'O',
    cardPlace: '竹市',
    lowIncomeThreshold: 16_768,
    taxOffice: () => '財政部北區國稅局新竹分局',
    districts: [
      {
        name: '東區',
        zip: '300',
        villages: ['關新里', '光復里', '仙宮里', '科園里', '東園里'],
        roads: [
          { name: '光復路', sections: [1, 2] },
          { name: '關新路', sections: [] },
          { name: '建中路', sections: [] },
          { name: '食品路', sections: [] },
        ],
        landSections: ['關東橋段', '光復段', '科園段'],
        landValuePerM2: [55_000, 140_000],
        homePricePerM2: [120_000, 180_000],
      },
    ],
  },
];

/** Farmland people inherit: outside the cities the population lives in. */
export const RURAL_AREAS: readonly RuralArea[] = [
  { county: '宜蘭縣', township: '員山鄉', landSections: ['深溝段', '內城段', '大湖段'], landValuePerM2: [2_500, 6_500] },
  { county: '雲林縣', township: '虎尾鎮', landSections: ['惠來厝段', '下湳段', '埒內段'], landValuePerM2: [1_500, 4_000] },
  { county: '彰化縣', township: '溪州鄉', landSections: ['三條圳段', '舊眉段', '潮洋段'], landValuePerM2: [1_600, 4_200] },
  { county: '屏東縣', township: '萬丹鄉', landSections: ['社皮段', '新庄段', '香社段'], landValuePerM2: [1_400, 3_800] },
];

export function findCity(name: string): City {
  const city = CITIES.find((c) => c.name === name);
  if (!city) throw new RangeError(`unknown city ${name}`);
  return city;
}

export function findDistrict(city: City, name: string): District {
  const district = city.districts.find((d) => d.name === name);
  if (!district) throw new RangeError(`unknown district ${city.name}${name}`);
  return district;
}

const CHINESE_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** Section and neighbourhood numbers are written in Chinese numerals in addresses (一段, 二段). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new RangeError(`numeral out of range: ${n}`);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  const tensPart = tens === 0 ? '' : tens === 1 ? '十' : `${CHINESE_DIGITS[tens]}十`;
  const onesPart = ones === 0 ? '' : CHINESE_DIGITS[ones];
  return `${tensPart}${onesPart}`;
}
