// Parts every consent and record page shares (mode 1 today; the counter and service consent pages
// too): who is signed in, the data sets asked for with their agencies and fields, and records
// shown as a label/value list when there is one and as a table when there are several.
import { formatFieldValue } from '@openmydata/protocol';
import type { Agency, Dataset } from '../catalog/repository.ts';
import type { Session } from '../identity/session/session-store.ts';
import { type Html, html } from './html.ts';
import type { DatasetState } from '../retrieval/retrieval-repository.ts';
import type { Lang, MessageKey, Translate } from './i18n.ts';

/** A national ID as a person sees their own on screen: A******789. */
export function maskedId(nationalId: string): string {
  return `${nationalId.slice(0, 1)}******${nationalId.slice(-3)}`;
}

/** "Signed in as 王小明 (A******789)". */
export function signedInAs(t: Translate, session: Session): Html {
  const id = session.state.nationalId ? maskedId(session.state.nationalId) : '';
  const who = session.state.displayName ? t('signedInAsNamed', { name: session.state.displayName, id }) : t('signedInAs', { id });
  return html`<p class="signed-in" id="signed-in">${who}</p>`;
}

/** The data sets of a consent: each with its agency, and its fields behind a disclosure. */
export function datasetTable(t: Translate, lang: Lang, picked: ReadonlyArray<{ dataset: Dataset; agency: Agency }>): Html {
  return html`<table class="datasets"><thead><tr><th scope="col">${t('datasetColumn')}</th><th scope="col">${t('agency')}</th></tr></thead>
<tbody>${picked.map(
    (p) => html`<tr><td>${p.dataset.name[lang]}
<details class="fields"><summary>${t('showFields', { n: p.dataset.fields.length })}</summary><ul>${p.dataset.fields.map((f) => html`<li>${f.name[lang]}</li>`)}</ul></details></td><td>${p.agency.name[lang]}</td></tr>`,
  )}</tbody></table>`;
}

/**
 * A data set's records: one record as a label/value list (no narrow columns to break names), several
 * as a table. Images are not shown here.
 */
export function recordsView(t: Translate, lang: Lang, dataset: Dataset, records: ReadonlyArray<Record<string, unknown>>): Html {
  const fields = dataset.fields.filter((f) => f.type !== 'image');
  if (records.length === 0) return html`<p>${t('noRecords')}</p>`;
  if (records.length === 1) {
    const [record] = records as [Record<string, unknown>];
    return html`<dl class="record">${fields.map((f) => html`<div><dt>${f.name[lang]}</dt><dd>${formatFieldValue(record[f.id], f.type, lang)}</dd></div>`)}</dl>`;
  }
  // A wide table scrolls sideways; the region takes the keyboard focus so it can be scrolled without a mouse.
  return html`<div class="table-scroll" tabindex="0" role="region" aria-label="${dataset.name[lang]}"><table class="records"><thead><tr>${fields.map((f) => html`<th scope="col">${f.name[lang]}</th>`)}</tr></thead>
<tbody>${records.map((r) => html`<tr>${fields.map((f) => html`<td>${formatFieldValue(r[f.id], f.type, lang)}</td>`)}</tr>`)}</tbody></table></div>`;
}

/** How a data set's state is named on every page that shows a retrieval's progress. */
export const DATASET_STATE_KEYS: Record<DatasetState, MessageKey> = {
  waiting: 'stateWaiting',
  requesting: 'stateRequesting',
  preparing: 'statePreparing',
  retrying: 'stateRetrying',
  verifying: 'stateVerifying',
  ok: 'stateOk',
  no_data: 'stateNoData',
  failed: 'stateFailed',
};
