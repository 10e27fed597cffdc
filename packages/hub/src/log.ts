// Logs never carry personal data: known fields are redacted by path, any string that looks like a
// national ID or resident certificate number is masked wherever it appears in a message or in a
// plain field, and request URLs keep their shape but not what a person typed into them (query
// values, free-text path segments). Names cannot be recognised in free text, so what could hold
// one is not logged at all. Objects of other classes (requests, replies) pass untouched to pino's
// serializers, which mask them here too.
import { pino, type Logger } from 'pino';

const PERSON_ID = /(?<![A-Za-z0-9])[A-Za-z][1289A-Da-d]\d{8}(?!\d)/g;
const PERSONAL_FIELDS = ['subject', 'nationalId', 'national_id', 'name', 'displayName', 'address', 'records', 'holder', 'email', 'to'];
const REDACT_PATHS = [
  // The top-level "name" is the logger's own (hub, fetch, ...); a person's name sits deeper.
  ...PERSONAL_FIELDS.filter((f) => f !== 'name'),
  ...PERSONAL_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** Single-use secrets that travel in URLs: download link tokens and OIDC callback codes. */
export function maskUrlSecrets(url: string): string {
  return url.replace(/^(\/download\/files\/)[^?#]*/, '$1[token]').replace(/^(\/login\/oidc\/callback)\?.*/, '$1?[redacted]');
}

/** Query parameters whose values are codes the hub defines, never text a person typed. */
const CODE_PARAMS = new Set(['lang', 'level', 'format', 'passkey', 'start', 'end', 'first', 'second', 'index', 'tree_size']);

/**
 * A request URL as the log may keep it: secrets masked, every query value that is not a known code
 * replaced by "…", and any path segment that is not plain ASCII (a name typed into an address)
 * replaced by "[text]"; national IDs masked in what is left.
 */
export function maskUrl(url: string): string {
  const masked = maskUrlSecrets(url);
  const cut = masked.indexOf('?');
  const path = (cut < 0 ? masked : masked.slice(0, cut))
    .split('/')
    .map((segment) => (/%[89a-fA-F][0-9a-fA-F]|[^\x20-\x7e]/.test(segment) ? '[text]' : segment))
    .join('/');
  if (cut < 0) return maskPersonIds(path);
  const query = masked
    .slice(cut + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      if (eq < 0 || pair.slice(eq + 1) === '') return pair;
      return CODE_PARAMS.has(key) ? pair : `${key}=…`;
    })
    .join('&');
  return maskPersonIds(`${path}?${query}`);
}

export function maskPersonIds(value: string): string {
  return value.replace(PERSON_ID, '[id]');
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonIds(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 12) return '[deep]';
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: maskPersonIds(value.message), stack: value.stack ? maskPersonIds(value.stack) : undefined };
  if (!isPlain(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1);
  return out;
}

export function createLogger(options: { level: string; name?: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'hub',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; host?: string; ip?: string }) => ({
          method: req.method,
          url: maskUrl(req.url ?? ''),
          host: maskPersonIds((req.host ?? '').replace(/[^\x20-\x7e]/g, '?')),
        }),
      },
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
      hooks: {
        // Only message strings are masked here; objects go to the formatter above after serializers.
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskPersonIds(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? asyncStdout(),
  );
}

/**
 * Standard output written asynchronously (pino's sonic-boom), so a busy hub does not stop for each
 * log line: on Linux, writes to a pipe or file from process.stdout block. pino flushes what is
 * buffered when the process exits normally; a SIGKILL loses at most the lines still in flight.
 */
function asyncStdout(): NodeJS.WritableStream {
  return pino.destination({ dest: 1, sync: false, minLength: 0 }) as unknown as NodeJS.WritableStream;
}

export type { Logger };
