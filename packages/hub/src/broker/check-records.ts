// An agency package's records must be what the registry says the data set holds: each record a
// plain object whose members are registered fields, each value of the field's type (or null). A
// package that passes the signature checks but holds anything else is refused, naming the field;
// messages carry field ids and positions, never values.
import type { FieldEntry } from '../catalog/registry.ts';

export class RecordsError extends Error {
  override readonly name = 'RecordsError';
  constructor(
    readonly code: 'data_malformed' | 'data_field_unknown' | 'data_field_type',
    message: string,
  ) {
    super(message);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const BASE64_IMAGE = /^(data:image\/(png|jpeg);base64,)?[A-Za-z0-9+/]+={0,2}$/;

function fits(type: FieldEntry['type'], value: unknown): boolean {
  if (value === null) return true;
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'year':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 9999;
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value));
    case 'image':
      return typeof value === 'string' && BASE64_IMAGE.test(value);
  }
}

/** Throws RecordsError unless data.json's records fit the data set's registered fields. */
export function checkRecords(data: Uint8Array | undefined, fields: readonly FieldEntry[]): void {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data ?? new Uint8Array()).toString('utf8'));
  } catch {
    throw new RecordsError('data_malformed', 'data.json is not JSON');
  }
  const records = (json as { records?: unknown } | null)?.records;
  if (!Array.isArray(records)) throw new RecordsError('data_malformed', 'data.json has no records list');
  const byId = new Map(fields.map((f) => [f.id, f]));
  records.forEach((record, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new RecordsError('data_malformed', `records[${index}] is not an object`);
    for (const [id, value] of Object.entries(record)) {
      const field = byId.get(id);
      if (!field) throw new RecordsError('data_field_unknown', `records[${index}].${safeId(id)} is not a registered field of this data set`);
      if (!fits(field.type, value)) throw new RecordsError('data_field_type', `records[${index}].${id} is not a ${field.type}`);
    }
  });
}

/** An unknown member's name comes from the agency: shown only when it looks like an id. */
function safeId(id: string): string {
  return /^[a-z][a-z0-9_]{0,63}$/.test(id) ? id : '(unnamed member)';
}
