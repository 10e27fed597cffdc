// Logs never carry personal data: known fields are redacted by path, and any string that looks like
// a national ID or resident certificate number is masked wherever it appears in a message or in a
// plain field. Objects of other classes (requests, replies) pass untouched to pino's serializers.
import { pino, type Logger } from 'pino';

const PERSON_ID = /(?<![A-Za-z0-9])[A-Za-z][1289A-Da-d]\d{8}(?!\d)/g;
const PERSONAL_FIELDS = ['subject', 'nationalId', 'national_id', 'address', 'records', 'holder'];
const REDACT_PATHS = [
  ...PERSONAL_FIELDS,
  ...PERSONAL_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** Single-use secrets that travel in URLs: download link tokens and OIDC callback codes. */
export function maskUrlSecrets(url: string): string {
  return url.replace(/^(\/download\/files\/)[^?#]*/, '$1[token]').replace(/^(\/login\/oidc\/callback)\?.*/, '$1?[redacted]');
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
          url: maskUrlSecrets(req.url ?? ''),
          host: req.host,
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
    options.destination ?? process.stdout,
  );
}

export type { Logger };
