// Portal pages: home, the catalogue (browse by agency and category, search), one data set.
import type { FastifyInstance } from 'fastify';
import type { Agency, Dataset } from '../catalog/repository.ts';
import { findDataset, listAgencies, listDatasets } from '../catalog/repository.ts';
import type { Db } from '../store/database.ts';
import { portalContext, sendPage } from './context.ts';
import { html } from './html.ts';
import { isMessageKey, type Lang, type Translate } from './i18n.ts';
import { page } from './layout.ts';
import { notFoundPage } from './error-pages.ts';

function categoryName(t: Translate, category: string): string {
  const key = `categoryName_${category}`;
  return isMessageKey(key) ? t(key) : category;
}

function levelName(t: Translate, level: number): string {
  return t(level === 1 ? 'levelName1' : level === 2 ? 'levelName2' : level === 3 ? 'levelName3' : 'levelName4');
}

function preparation(t: Translate, seconds: number): string {
  return seconds <= 0 ? t('immediate') : t('aboutSeconds', { n: seconds });
}

export function cataloguePages(app: FastifyInstance, db: Db): void {
  app.get('/', async (request, reply) => {
    const { lang, t } = portalContext(request, reply);
    return sendPage(
      reply,
      page({
        lang,
        t,
        title: t('homeTitle'),
        path: '/',
        body: html`<h1>${t('homeTitle')}</h1>
<p class="lead">${t('homeLead')}</p>
<p><a class="button" href="/catalogue">${t('browseCatalogue')}</a></p>`,
      }),
    );
  });

  app.get('/catalogue', async (request, reply) => {
    const { lang, t } = portalContext(request, reply);
    const query = request.query as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 100) : '');
    const q = str(query.q).trim();
    const agencyId = str(query.agency);
    const category = str(query.category);
    const [agencies, all] = await Promise.all([listAgencies(db), listDatasets(db)]);
    const needle = q.toLowerCase();
    const shown = all.filter(
      (d) =>
        (!agencyId || d.agencyId === agencyId) &&
        (!category || d.category === category) &&
        (!needle || [d.id, d.name['zh-TW'], d.name.en, d.description['zh-TW'], d.description.en].some((s) => s.toLowerCase().includes(needle))),
    );
    const categories = [...new Set(all.map((d) => d.category))];
    const byId = new Map(agencies.map((a) => [a.id, a]));
    const keep: Record<string, string> = {};
    if (q) keep.q = q;
    if (agencyId) keep.agency = agencyId;
    if (category) keep.category = category;
    return sendPage(
      reply,
      page({
        lang,
        t,
        title: t('catalogueTitle'),
        path: '/catalogue',
        query: keep,
        body: html`<h1>${t('catalogueTitle')}</h1>
<p class="lead">${t('catalogueLead')}</p>
<form class="filters" method="get" action="/catalogue" role="search">
  <input type="hidden" name="lang" value="${lang}">
  <div><label for="q">${t('searchLabel')}</label><input id="q" name="q" type="search" value="${q}"></div>
  <div><label for="agency">${t('agencyFilter')}</label>
    <select id="agency" name="agency"><option value="">${t('allAgencies')}</option>
    ${agencies.map((a) => html`<option value="${a.id}"${a.id === agencyId ? html` selected` : ''}>${a.name[lang]}</option>`)}
    </select></div>
  <div><label for="category">${t('categoryFilter')}</label>
    <select id="category" name="category"><option value="">${t('allCategories')}</option>
    ${categories.map((c) => html`<option value="${c}"${c === category ? html` selected` : ''}>${categoryName(t, c)}</option>`)}
    </select></div>
  <div><button type="submit">${t('searchButton')}</button></div>
</form>
<p role="status">${t('resultsCount', { n: shown.length })}</p>
${
  shown.length === 0
    ? html`<p>${t('noResults')}</p>`
    : html`<form method="get" action="/download">
<ul class="cards">${shown.map((d) => datasetCard(d, byId.get(d.agencyId), lang, t))}</ul>
<p><button type="submit">${t('downloadSelected')}</button></p>
</form>`
}`,
      }),
    );
  });

  app.get<{ Params: { id: string } }>('/catalogue/:id', async (request, reply) => {
    const { lang, t } = portalContext(request, reply);
    const dataset = /^[a-z0-9-]{1,64}$/.test(request.params.id) ? await findDataset(db, request.params.id) : undefined;
    if (!dataset) return notFoundPage(request, reply);
    const agency = (await listAgencies(db)).find((a) => a.id === dataset.agencyId);
    return sendPage(
      reply,
      page({
        lang,
        t,
        title: dataset.name[lang],
        path: `/catalogue/${dataset.id}`,
        body: html`<p><a href="/catalogue">${t('backToCatalogue')}</a></p>
<h1>${dataset.name[lang]}</h1>
<p class="lead">${dataset.description[lang]}</p>
<dl class="card">
  <dt>${t('agency')}</dt><dd>${agency?.name[lang] ?? dataset.agencyId}</dd>
  <dt>${t('category')}</dt><dd>${categoryName(t, dataset.category)}</dd>
  <dt>${t('assuranceLevel')}</dt><dd>${levelName(t, dataset.minAssuranceLevel)}</dd>
  <dt>${t('preparationTime')}</dt><dd>${preparation(t, dataset.typicalPreparationSeconds)}</dd>
  <dt>${t('formats')}</dt><dd>${dataset.formats.map((f) => f.toUpperCase()).join(', ')}</dd>
  <dt>${t('maintenance')}</dt><dd>${
    agency && agency.maintenance.length > 0 ? agency.maintenance.map((w) => `${w.start}–${w.end} (${w.timeZone})`).join('; ') : t('noMaintenance')
  }</dd>
</dl>
<h2>${t('fields')}</h2>
<table>
  <thead><tr><th scope="col">${t('fields')}</th><th scope="col">${lang === 'en' ? 'Type' : '型態'}</th></tr></thead>
  <tbody>${dataset.fields.map((f) => html`<tr><td>${f.name[lang]}</td><td>${fieldType(t, f.type)}</td></tr>`)}</tbody>
</table>`,
      }),
    );
  });
}

function fieldType(t: Translate, type: string): string {
  switch (type) {
    case 'number':
      return t('fieldTypeNumber');
    case 'date':
      return t('fieldTypeDate');
    case 'boolean':
      return t('fieldTypeBoolean');
    case 'image':
      return t('fieldTypeImage');
    default:
      return t('fieldTypeString');
  }
}

function datasetCard(d: Dataset, agency: Agency | undefined, lang: Lang, t: Translate) {
  return html`<li class="card">
  <h2 style="font-size:1.15rem;margin:0"><a href="/catalogue/${d.id}">${d.name[lang]}</a></h2>
  <p class="meta">${agency?.name[lang] ?? d.agencyId} · ${categoryName(t, d.category)}</p>
  <p>${d.description[lang]}</p>
  <p class="meta">${t('assuranceLevel')}: ${levelName(t, d.minAssuranceLevel)} · ${t('preparationTime')}: ${preparation(t, d.typicalPreparationSeconds)}</p>
  <p><input type="checkbox" name="datasets" value="${d.id}" id="pick-${d.id}"> <label for="pick-${d.id}">${t('selectDataset', { name: d.name[lang] })}</label></p>
</li>`;
}
