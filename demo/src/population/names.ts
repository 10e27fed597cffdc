// Common Taiwanese surnames and given names by generation, with the Wade-Giles spellings passports use.
import type { Sex } from './national-id.ts';
import type { Random } from './random.ts';

/** Surnames roughly in order of frequency, with how often to pick each. */
const SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['陳', 11],
  ['林', 8],
  ['黃', 6],
  ['張', 5],
  ['李', 5],
  ['王', 4],
  ['吳', 4],
  ['劉', 3],
  ['蔡', 3],
  ['楊', 3],
  ['許', 2],
  ['鄭', 2],
  ['謝', 2],
  ['郭', 2],
  ['洪', 2],
  ['曾', 1],
  ['邱', 1],
  ['廖', 1],
  ['賴', 1],
  ['周', 1],
];

/** Given names fall in and out of fashion, so a 1950s grandmother and a 2015 child sound different. */
const GIVEN_NAMES: Readonly<Record<'older' | 'middle' | 'younger', Readonly<Record<Sex, readonly string[]>>>> = {
  older: {
    M: ['建國', '志明', '文雄', '金龍', '正雄', '明德', '國華', '榮華', '清水', '天賜'],
    F: ['秀英', '美玉', '麗華', '月娥', '玉蘭', '秀琴', '素珍', '美惠', '淑貞', '玉珠'],
  },
  middle: {
    M: ['志偉', '建宏', '俊傑', '家豪', '志豪', '明輝', '宗翰', '冠宇', '信宏', '承翰'],
    F: ['淑芬', '雅婷', '怡君', '佩君', '美玲', '惠雯', '雅惠', '怡婷', '靜宜', '欣怡'],
  },
  younger: {
    M: ['承恩', '宥廷', '品睿', '柏宇', '彥廷', '冠廷', '宇翔', '子睿', '承睿', '睿恩'],
    F: ['詠晴', '子晴', '品妍', '宜蓁', '語彤', '欣妍', '芯語', '羽彤', '思妤', '家瑜'],
  },
};

const WADE_GILES: Readonly<Record<string, string>> = {
  陳: 'CHEN',
  林: 'LIN',
  黃: 'HUANG',
  張: 'CHANG',
  李: 'LI',
  王: 'WANG',
  吳: 'WU',
  劉: 'LIU',
  蔡: 'TSAI',
  楊: 'YANG',
  許: 'HSU',
  鄭: 'CHENG',
  謝: 'HSIEH',
  郭: 'KUO',
  洪: 'HUNG',
  曾: 'TSENG',
  邱: 'CHIU',
  廖: 'LIAO',
  賴: 'LAI',
  周: 'CHOU',
  小: 'HSIAO',
  明: 'MING',
  美: 'MEI',
  華: 'HUA',
  建: 'CHIEN',
  國: 'KUO',
  志: 'CHIH',
  文: 'WEN',
  雄: 'HSIUNG',
  金: 'CHIN',
  龍: 'LUNG',
  正: 'CHENG',
  德: 'TE',
  榮: 'JUNG',
  清: 'CHING',
  水: 'SHUI',
  天: 'TIEN',
  賜: 'TZU',
  秀: 'HSIU',
  英: 'YING',
  玉: 'YU',
  淑: 'SHU',
  芬: 'FEN',
  麗: 'LI',
  月: 'YUEH',
  娥: 'O',
  蘭: 'LAN',
  琴: 'CHIN',
  素: 'SU',
  珍: 'CHEN',
  惠: 'HUI',
  貞: 'CHEN',
  珠: 'CHU',
  偉: 'WEI',
  宏: 'HUNG',
  俊: 'CHUN',
  傑: 'CHIEH',
  家: 'CHIA',
  豪: 'HAO',
  輝: 'HUI',
  宗: 'TSUNG',
  翰: 'HAN',
  冠: 'KUAN',
  宇: 'YU',
  信: 'HSIN',
  承: 'CHENG',
  雅: 'YA',
  婷: 'TING',
  怡: 'YI',
  君: 'CHUN',
  佩: 'PEI',
  玲: 'LING',
  雯: 'WEN',
  靜: 'CHING',
  宜: 'YI',
  欣: 'HSIN',
  恩: 'EN',
  宥: 'YU',
  廷: 'TING',
  品: 'PIN',
  睿: 'JUI',
  柏: 'PO',
  彥: 'YEN',
  翔: 'HSIANG',
  子: 'TZU',
  詠: 'YUNG',
  晴: 'CHING',
  妍: 'YEN',
  蓁: 'CHEN',
  語: 'YU',
  彤: 'TUNG',
  芯: 'HSIN',
  羽: 'YU',
  思: 'SSU',
  妤: 'YU',
  瑜: 'YU',
};

function spell(character: string): string {
  const syllable = WADE_GILES[character];
  if (syllable === undefined) throw new RangeError(`no romanisation for ${character}`);
  return syllable;
}

/** Passport style: "WANG, HSIAO-MING". */
export function romanise(surname: string, givenName: string): string {
  return `${spell(surname)}, ${[...givenName].map(spell).join('-')}`;
}

export function randomSurname(random: Random, avoid?: string): string {
  const choices = SURNAMES.filter(([surname]) => surname !== avoid);
  return random.weighted(choices);
}

export function randomGivenName(random: Random, sex: Sex, birthYear: number): string {
  const generation = birthYear < 1965 ? 'older' : birthYear < 1992 ? 'middle' : 'younger';
  return random.pick(GIVEN_NAMES[generation][sex]);
}
