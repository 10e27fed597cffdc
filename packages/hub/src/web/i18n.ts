// Portal languages: Traditional Chinese first, English by a visible switch or ?lang=en.
// A typed dictionary: a missing key in either language is a compile error, not a blank on a page.
export type Lang = 'zh-TW' | 'en';
export const LANGS: readonly Lang[] = ['zh-TW', 'en'];

const zh = {
  siteName: 'OpenMyData 個人化資料自主運用',
  skipToContent: '跳至主要內容',
  switchLanguage: 'English',
  navCatalogue: '資料目錄',
  navHome: '首頁',
  homeTitle: '您的資料，由您決定',
  homeLead: '驗證身分並同意一次，即可從各機關取得您本人的資料：下載加密資料包、臨櫃出示條碼，或提供給您申辦的線上服務。平台不保存您的個人資料。',
  browseCatalogue: '瀏覽資料目錄',
  catalogueTitle: '資料目錄',
  catalogueLead: '依機關或類別瀏覽，或搜尋資料集。',
  searchLabel: '搜尋資料集',
  searchButton: '搜尋',
  agencyFilter: '提供機關',
  categoryFilter: '類別',
  allAgencies: '全部機關',
  allCategories: '全部類別',
  applyFilters: '套用篩選',
  resultsCount: '共 {n} 個資料集',
  noResults: '找不到符合條件的資料集。',
  assuranceLevel: '身分驗證等級',
  levelName1: '第1級（自然人憑證等晶片卡）',
  levelName2: '第2級（行動身分識別、通行密鑰）',
  levelName3: '第3級（健保卡）',
  levelName4: '第4級（雙證件）',
  preparationTime: '預估備妥時間',
  immediate: '即時',
  aboutSeconds: '約 {n} 秒',
  fields: '資料欄位',
  formats: '格式',
  maintenance: '系統維護時段',
  noMaintenance: '無固定維護時段',
  agency: '提供機關',
  category: '類別',
  notFoundTitle: '找不到此頁面',
  notFoundBody: '您要找的頁面不存在，可能已移除或網址有誤。',
  backToCatalogue: '回到資料目錄',
  errorTitle: '系統發生錯誤',
  errorBody: '很抱歉，系統暫時無法處理您的請求。錯誤已記錄，請稍後再試。',
  footerPrivacy: '本平台不保存您的個人資料；每一次資料傳遞都會記錄於可驗證的使用紀錄。',
  fieldTypeString: '文字',
  fieldTypeNumber: '數字',
  fieldTypeDate: '日期',
  fieldTypeBoolean: '是／否',
  fieldTypeImage: '影像',
  categoryName_household: '戶籍',
  categoryName_employment: '勞動',
  categoryName_health: '健康保險',
  categoryName_tax: '財稅',
  categoryName_transport: '交通',
  categoryName_land: '地政',
  categoryName_welfare: '社會福利',
};

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  siteName: 'OpenMyData',
  skipToContent: 'Skip to main content',
  switchLanguage: '中文',
  navCatalogue: 'Data catalogue',
  navHome: 'Home',
  homeTitle: 'Your data, your decision',
  homeLead: 'Prove who you are and consent once, and your own records are fetched from the agencies that hold them: download an encrypted package, show a barcode at a counter, or hand them to an online service you apply to. The platform keeps none of your personal data.',
  browseCatalogue: 'Browse the data catalogue',
  catalogueTitle: 'Data catalogue',
  catalogueLead: 'Browse by agency or category, or search for a data set.',
  searchLabel: 'Search data sets',
  searchButton: 'Search',
  agencyFilter: 'Agency',
  categoryFilter: 'Category',
  allAgencies: 'All agencies',
  allCategories: 'All categories',
  applyFilters: 'Apply filters',
  resultsCount: '{n} data sets',
  noResults: 'No data set matches.',
  assuranceLevel: 'Identity assurance level',
  levelName1: 'Level 1 (citizen certificate or chip card)',
  levelName2: 'Level 2 (mobile ID, passkey)',
  levelName3: 'Level 3 (health insurance card)',
  levelName4: 'Level 4 (two documents)',
  preparationTime: 'Typical preparation time',
  immediate: 'Immediate',
  aboutSeconds: 'About {n} s',
  fields: 'Fields',
  formats: 'Formats',
  maintenance: 'Maintenance windows',
  noMaintenance: 'No scheduled maintenance',
  agency: 'Agency',
  category: 'Category',
  notFoundTitle: 'Page not found',
  notFoundBody: 'The page you are looking for does not exist; it may have moved or the address is wrong.',
  backToCatalogue: 'Back to the catalogue',
  errorTitle: 'Something went wrong',
  errorBody: 'Sorry, we could not handle your request. The error was logged; please try again later.',
  footerPrivacy: 'This platform keeps none of your personal data; every transfer is recorded in a verifiable usage history.',
  fieldTypeString: 'Text',
  fieldTypeNumber: 'Number',
  fieldTypeDate: 'Date',
  fieldTypeBoolean: 'Yes / no',
  fieldTypeImage: 'Image',
  categoryName_household: 'Household',
  categoryName_employment: 'Employment',
  categoryName_health: 'Health insurance',
  categoryName_tax: 'Tax and income',
  categoryName_transport: 'Transport',
  categoryName_land: 'Land',
  categoryName_welfare: 'Welfare',
};

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { 'zh-TW': zh, en };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const dictionary = DICTIONARIES[lang];
  return (key, vars) => dictionary[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? ''));
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zh, key);
}

/** ?lang= wins, then the language cookie, then zh-TW. */
export function pickLang(query: unknown, cookie: string | undefined): Lang {
  const fromQuery = typeof query === 'string' ? query : undefined;
  for (const candidate of [fromQuery, cookie]) {
    if (candidate === 'en' || candidate === 'zh-TW') return candidate;
  }
  return 'zh-TW';
}
