// Canonical JSON after RFC 8785 (JCS), restricted to what ledger entries hold: objects, arrays,
// strings, safe integers, booleans and null. The same value always gives the same UTF-8 bytes, so a
// leaf hash can be recomputed by anyone from the entry alone.

export type CanonicalValue = string | number | boolean | null | CanonicalValue[] | { [key: string]: CanonicalValue };

export function canonicalJson(value: CanonicalValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value); // RFC 8785 §3.2.2.2 is ECMAScript's string serialisation
    case 'number':
      // Integers only: RFC 8785 number formatting is then just the decimal digits.
      if (!Number.isSafeInteger(value)) throw new TypeError('canonical JSON here holds safe integers only');
      return String(value);
  }
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i] as CanonicalValue);
    return `${out}]`;
  }
  // RFC 8785 §3.2.3: members sorted by their names' UTF-16 code units, which is JavaScript's default sort.
  const keys = Object.keys(value).sort();
  out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out += `${i > 0 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(value[key] as CanonicalValue)}`;
  }
  return `${out}}`;
}

export function canonicalBytes(value: CanonicalValue): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
