// ProviderOptions are checked once at start-up; a bad value stops the agency with a message naming it.
import { FIELD_TYPES as ALL_FIELD_TYPES } from '@openmydata/protocol';
import { PROVIDER_API } from '@openmydata/protocol';
import type { DatasetHandler, LocalizedText, ProviderOptions } from './types.ts';

/** Package requests an agency works on at once before it sheds load with 429. */
export const DEFAULT_MAX_CONCURRENT = 32;

const DATASET_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const FIELD_TYPES: ReadonlySet<string> = new Set(ALL_FIELD_TYPES);

export function validateOptions(options: ProviderOptions): void {
  const fail = (where: string, why: string): never => {
    throw new Error(`createProvider: ${where} ${why}`);
  };
  if (typeof options.agency?.id !== 'string' || options.agency.id.trim() === '') fail('agency.id', 'is required');
  checkText(options.agency.name, 'agency.name', fail);
  if (!options.hub || typeof options.hub.issuer !== 'string' || options.hub.issuer === '') fail('hub.issuer', 'is required');
  let jwksUrl: URL | undefined;
  try {
    jwksUrl = new URL(options.hub.jwksUrl);
  } catch {
    fail('hub.jwksUrl', `is not a URL: ${JSON.stringify(options.hub.jwksUrl)}`);
  }
  if (jwksUrl && jwksUrl.protocol !== 'https:' && jwksUrl.protocol !== 'http:') fail('hub.jwksUrl', 'must be an https (or, for development, http) URL');
  const maxAge = options.maxPreparedAgeSeconds ?? 3600;
  if (!Number.isFinite(maxAge) || maxAge <= 0) fail('maxPreparedAgeSeconds', 'must be a positive number');
  const redelivery = options.redeliverySeconds ?? PROVIDER_API.redeliverySeconds;
  if (!Number.isFinite(redelivery) || redelivery <= 0 || redelivery > 3600) fail('redeliverySeconds', 'must be more than 0 and at most 3600');
  const tolerance = options.clockToleranceSeconds ?? PROVIDER_API.defaultClockToleranceSeconds;
  if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > PROVIDER_API.maxClockToleranceSeconds) {
    fail('clockToleranceSeconds', `must be between 0 and ${PROVIDER_API.maxClockToleranceSeconds}`);
  }
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  if (maxConcurrent !== Number.POSITIVE_INFINITY && !(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) {
    fail('maxConcurrent', 'must be a whole number of at least 1, or Infinity');
  }
  if (!Array.isArray(options.datasets) || options.datasets.length === 0) fail('datasets', 'must list at least one data set');
  const seen = new Set<string>();
  options.datasets.forEach((dataset, i) => {
    checkDataset(dataset, `datasets[${i}]`, maxAge, fail);
    if (seen.has(dataset.id)) fail(`datasets[${i}].id`, `repeats ${dataset.id}`);
    seen.add(dataset.id);
  });
}

function checkDataset(dataset: DatasetHandler, where: string, maxAge: number, fail: (where: string, why: string) => never): void {
  if (typeof dataset.id !== 'string' || !DATASET_ID.test(dataset.id)) fail(`${where}.id`, 'must be lower-case letters, digits and hyphens (at most 64)');
  checkText(dataset.name, `${where}.name`, fail);
  if (typeof dataset.fetch !== 'function') fail(`${where}.fetch`, 'must be a function');
  if (!Array.isArray(dataset.fields)) fail(`${where}.fields`, 'must be an array');
  const ids = new Set<string>();
  dataset.fields.forEach((field, j) => {
    if (typeof field.id !== 'string' || field.id === '' || ids.has(field.id)) fail(`${where}.fields[${j}].id`, 'must be a unique, non-empty string');
    ids.add(field.id);
    checkText(field.name, `${where}.fields[${j}].name`, fail);
    if (!FIELD_TYPES.has(field.type)) fail(`${where}.fields[${j}].type`, `must be one of ${[...FIELD_TYPES].join(', ')}`);
  });
  const seconds = dataset.preparationSeconds;
  if (seconds !== undefined && (!Number.isFinite(seconds) || seconds <= 0 || seconds >= maxAge)) {
    fail(`${where}.preparationSeconds`, 'must be positive and below maxPreparedAgeSeconds');
  }
}

function checkText(text: LocalizedText | undefined, where: string, fail: (where: string, why: string) => never): void {
  if (!text || typeof text['zh-TW'] !== 'string' || text['zh-TW'] === '' || typeof text.en !== 'string' || text.en === '') {
    fail(where, "needs both 'zh-TW' and 'en' text");
  }
}
