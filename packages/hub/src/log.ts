// Logs never carry personal data: known fields are redacted by path, and any string that looks like
// a national ID or resident certificate number is masked wherever it appears.
import { pino, type Logger } from 'pino';

const PERSON_ID = /\b[A-Z][1289A-D]\d{8}\b/g;
const REDACT_PATHS = [
  'subject',
  '*.subject',
  'nationalId',
  '*.nationalId',
  'name',
  'address',
  'records',
  '*.records',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function maskPersonIds(value: string): string {
  return value.replace(PERSON_ID, '[id]');
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonIds(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: maskPersonIds(value.message), stack: value.stack ? maskPersonIds(value.stack) : undefined };
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
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => scrub(a)) as Parameters<typeof method>,
          );
        },
      },
    },
    options.destination ?? process.stdout,
  );
}

export type { Logger };
