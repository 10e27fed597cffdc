// Retry-After as RFC 9110 section 10.2.3 has it: delay-seconds (digits only) or an HTTP-date in any
// of its three formats. Agencies send whole seconds, at least 1 (docs/provider-api.md section 6);
// the broker clamps what it actually waits.

const IMF_FIXDATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/** Seconds from a Retry-After header, or undefined when absent or not RFC 9110 (e.g. "1.5", "-1", "soon"). */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  let date = Number.NaN;
  if (IMF_FIXDATE.test(trimmed) || RFC850_DATE.test(trimmed)) date = Date.parse(trimmed);
  // asctime carries no zone; HTTP dates are always GMT.
  else if (ASCTIME_DATE.test(trimmed)) date = Date.parse(`${trimmed} GMT`);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}
