// Portal pages: home, the catalogue (browse by agency and category, search), one data set.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CatalogueService } from '../catalog/catalogue-service.ts';
import type { Agency, Dataset } from '../catalog/repository.ts';
import { notFoundPage } from './error-pages.ts';
import { html } from './html.ts';
import { isMessageKey, type Lang, type Translate } from './i18n.ts';
import { pageQuery, text } from './schemas.ts';

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

const catalogueQuery = pageQuery.extend({ q: text(100), agency: text(64), category: text(64) });

export function cataloguePages(parent: FastifyInstance, catalogue: CatalogueService): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get('/', { schema: { hide: true, querystring: pageQuery } }, async (request, reply) => {
    const { t } = request;
    return reply.page({
      title: t('homeTitle'),
      path: '/',
      body: html`<h1>${t('homeTitle')}</h1>
<p class="lead">${t('homeLead')}</p>
<p><a class="button" href="/catalogue">${t('browseCatalogue')}</a></p>`,
    });
  });

  app.get('/catalogue', { schema: { hide: true, querystring: catalogueQuery } }, async (request, reply) => {
    const { lang, t } = request;
    const q = request.query.q.trim();
    const agencyId = request.query.agency;
    const category = request.query.category;
    const [agencies, all, shown] = await Promise.all([catalogue.agencies(), catalogue.datasets(), catalogue.datasets({ agencyId, category, text: q })]);
    const categories = [...new Set(all.map((d) => d.category))];
    const byId = new Map(agencies.map((a) => [a.id, a]));
    const keep: Record<string, string> = {};
    if (q) keep.q = q;
    if (agencyId) keep.agency = agencyId;
    if (category) keep.category = category;
    return reply.page({
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
    });
  });

  app.get('/catalogue/:id', { schema: { hide: true, params: z.object({ id: z.string().max(200) }), querystring: pageQuery } }, async (request, reply) => {
    const { lang, t } = request;
    const found = /^[a-z0-9-]{1,64}$/.test(request.params.id) ? await catalogue.dataset(request.params.id) : undefined;
    if (!found) return notFoundPage(request, reply);
    const { dataset, agency } = found;
    return reply.page({
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
    });
  });
}

function fieldType(t: Translate, type: string): string {
  switch (type) {
    case 'number':
      return t('fieldTypeNumber');
    case 'year':
      return t('fieldTypeYear');
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
  <h2 class="card-title"><a href="/catalogue/${d.id}">${d.name[lang]}</a></h2>
  <p class="meta">${agency?.name[lang] ?? d.agencyId} · ${categoryName(t, d.category)}</p>
  <p>${d.description[lang]}</p>
  <p class="meta">${t('assuranceLevel')}: ${levelName(t, d.minAssuranceLevel)} · ${t('preparationTime')}: ${preparation(t, d.typicalPreparationSeconds)}</p>
  <p><input type="checkbox" name="datasets" value="${d.id}" id="pick-${d.id}"> <label for="pick-${d.id}">${t('selectDataset', { name: d.name[lang] })}</label></p>
</li>`;
}
