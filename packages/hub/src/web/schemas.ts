// Request schemas shared by the portal's routes. Pages are forgiving on purpose: a value of the wrong
// shape becomes "absent" and the page says what is missing, instead of refusing the whole request.
import { z } from 'zod';

/** A string cut to `max` characters; anything else (absent, repeated, ...) becomes ''. */
export function text(max: number) {
  return z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' ? v.slice(0, max) : ''));
}

/** One value or several (forms repeat a name for each ticked box): at most 50 short strings. */
export const datasetIds = z
  .unknown()
  .optional()
  .transform((v) =>
    [...new Set((Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(x)))].slice(0, 50),
  );

/** Every page accepts ?lang= (the language switch). */
export const pageQuery = z.object({ lang: text(8) }).passthrough();

export const uuidParams = z.object({ id: z.string().max(64) });

/** Every portal form carries the session's CSRF token. */
export const csrfForm = z.object({ _csrf: text(200) }).passthrough();
