// What an agency's fetch returned must be null or { records: [ { field: string | number | boolean | null } ] }.
// Agencies write plain JavaScript too, so the shape is checked at run time before anything is signed.
import type { DatasetRecords } from './types.ts';

/** Thrown for a malformed result; its message names positions and field ids only, never values. */
export class InvalidRecordsError extends Error {
  override readonly name = 'InvalidRecordsError';
}

export function checkRecords(result: unknown): DatasetRecords | null {
  if (result === null) return null;
  if (typeof result !== 'object' || result === undefined || !Array.isArray((result as { records?: unknown }).records)) {
    throw new InvalidRecordsError('fetch must return null or { records: [...] }');
  }
  const records = (result as { records: unknown[] }).records;
  records.forEach((record, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record) || Object.getPrototypeOf(record) !== Object.prototype) {
      throw new InvalidRecordsError(`records[${index}] is not a plain object`);
    }
    for (const [field, value] of Object.entries(record)) {
      const ok = value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
      if (!ok) throw new InvalidRecordsError(`records[${index}].${field} is a ${describeType(value)}; use string, finite number, boolean or null`);
    }
  });
  return { records: records as DatasetRecords['records'] };
}

function describeType(value: unknown): string {
  if (value instanceof Date) return 'Date (send an ISO string)';
  if (typeof value === 'number') return 'non-finite number';
  return Array.isArray(value) ? 'array' : typeof value;
}
