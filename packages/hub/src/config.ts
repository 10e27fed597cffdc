// Configuration comes from the environment, is validated once at start-up, and a bad value stops
// the process with one clear line per problem.
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const seconds = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HUB_PORT: port.default(3000),
  HUB_HOST: z.string().min(1).default('127.0.0.1'),
  HUB_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Secret for subject keys (HMAC) and for sealing the hub's private keys in the database. */
  HUB_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9+/=_-]+$/, 'must be base64 or hex')
    .refine((s) => decodeSecret(s).length >= 32, 'must encode at least 32 bytes (e.g. openssl rand -base64 48)')
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL; leave it unset for SQLite')
    .optional(),
  DATA_DIR: z.string().min(1).default('var'),
  REGISTRY_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BROKER_TIMEOUT_SECONDS: seconds.max(300).default(15),
  BROKER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  BROKER_MAX_PREPARATION_SECONDS: seconds.default(90 * 60),
  BROKER_MAX_PACKAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(32 * 1024 * 1024),
  /** Exchanges this process keeps in flight to one agency; the rest wait their turn in a queue. */
  BROKER_AGENCY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(8),
  /** Requests that may wait for one agency; beyond it a data set fails at once as agency_busy. */
  BROKER_AGENCY_QUEUE: z.coerce.number().int().min(0).max(100_000).default(500),
  /** 'true', or the number of proxy hops to trust for X-Forwarded-For; unset: no proxy. */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2})$/, 'true, false or a number of hops')
    .optional(),
  /** How long a built download waits for its one download; the privacy promise caps it at 8 h. */
  DOWNLOAD_TTL_HOURS: z.coerce.number().positive().max(8).default(8),
  /** Portal sessions one client address may open per 10 minutes (a counter hall shares one address). */
  NEW_SESSIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(300),
  /** On shutdown, how long retrievals under way may take to finish before they are stopped. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
  /** The whole request (headers and body) must arrive within this; slow clients are cut off. */
  HTTP_REQUEST_TIMEOUT_SECONDS: seconds.max(600).default(30),
  HTTP_HEADERS_TIMEOUT_SECONDS: seconds.max(600).default(10),
  HTTP_KEEP_ALIVE_SECONDS: seconds.max(600).default(5),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  secret: Buffer | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  registryFile: string | undefined;
  logLevel: string;
  downloadTtlHours: number;
  /** New portal sessions allowed per client address per 10 minutes. */
  newSessionsPerAddress: number;
  trustProxy: boolean | number;
  shutdownGraceMs: number;
  http: { requestTimeoutMs: number; headersTimeoutMs: number; keepAliveTimeoutMs: number };
  broker: {
    timeoutMs: number;
    maxAttempts: number;
    maxPreparationSeconds: number;
    maxPackageBytes: number;
    agencyConcurrency: number;
    agencyQueue: number;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function decodeSecret(value: string): Buffer {
  return /^[0-9a-fA-F]+$/.test(value) && value.length % 2 === 0 ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (FOO= in an env file) means "not set", not "set to nothing".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.HUB_SECRET) throw new ConfigError(['HUB_SECRET: required when NODE_ENV=production']);
  return {
    env: e.NODE_ENV,
    port: e.HUB_PORT,
    host: e.HUB_HOST,
    publicUrl: (e.HUB_PUBLIC_URL ?? `http://localhost:${e.HUB_PORT}`).replace(/\/$/, ''),
    secret: e.HUB_SECRET ? decodeSecret(e.HUB_SECRET) : undefined,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    registryFile: e.REGISTRY_FILE,
    logLevel: e.LOG_LEVEL,
    downloadTtlHours: e.DOWNLOAD_TTL_HOURS,
    newSessionsPerAddress: e.NEW_SESSIONS_PER_ADDRESS,
    trustProxy: e.TRUST_PROXY === undefined || e.TRUST_PROXY === 'false' ? false : e.TRUST_PROXY === 'true' ? true : Number(e.TRUST_PROXY),
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    http: {
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_SECONDS * 1000,
    },
    broker: {
      timeoutMs: e.BROKER_TIMEOUT_SECONDS * 1000,
      maxAttempts: e.BROKER_MAX_ATTEMPTS,
      maxPreparationSeconds: e.BROKER_MAX_PREPARATION_SECONDS,
      maxPackageBytes: e.BROKER_MAX_PACKAGE_BYTES,
      agencyConcurrency: e.BROKER_AGENCY_CONCURRENCY,
      agencyQueue: e.BROKER_AGENCY_QUEUE,
    },
  };
}
