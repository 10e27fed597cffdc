// Small registries for tests: agencies at given base URLs, each with the named data sets.
export function testRegistry(agencies: Array<{ id: string; baseUrl: string; datasets: string[]; maintenance?: unknown[] }>) {
  return {
    agencies: agencies.map((a) => ({
      id: a.id,
      name: { 'zh-TW': `測試機關 ${a.id}`, en: `Test agency ${a.id}` },
      base_url: a.baseUrl,
      maintenance: a.maintenance ?? [],
      datasets: a.datasets.map((id) => ({
        id,
        name: { 'zh-TW': `資料集 ${id}`, en: `Data set ${id}` },
        description: { 'zh-TW': '測試用資料集。', en: 'A data set for tests.' },
        category: 'household',
        fields: [{ id: 'value', name: { 'zh-TW': '值', en: 'Value' }, type: 'string' }],
        formats: ['json', 'pdf'],
        min_assurance_level: 3,
        typical_preparation_seconds: 0,
      })),
    })),
  };
}
