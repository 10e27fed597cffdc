// The registry: the agencies and data sets an operator has registered, validated before use. The
// zod schema below is the one source: docs/registry.schema.json is generated from it
// (registryJsonSchema), and a test fails when the two differ.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FIELD_TYPES } from '@openmydata/protocol';

/** The catalogue's categories; the portal names each in both languages. */
export const DATASET_CATEGORIES = ['household', 'employment', 'health', 'tax', 'transport', 'land', 'welfare'] as const;
/** Field types a data set may declare; docs/provider-api.md section 8.1 says how each is written in data.json. */
export { FIELD_TYPES };

// Descriptions and $defs names for the JSON Schema, kept out of zod's global registry so other
// schemas in the process may use the same names.
const documentation = z.registry<z.GlobalMeta>();

const localized = z
  .strictObject({ 'zh-TW': z.string().min(1).max(500), en: z.string().min(1).max(500) })
  .register(documentation, { id: 'LocalizedText', description: 'The same text in Traditional Chinese (zh-TW) and English (en).' });
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'use lower-case letters, digits and hyphens (at most 64, not starting with a hyphen)');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (00:00 to 23:59)');
const httpUrl = (description: string) =>
  z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).register(documentation, { description, pattern: '^https?://' });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const maintenanceWindowSchema = z
  .strictObject({
    days: z
      .array(z.number().int().min(0).max(6))
      .min(1)
      .optional()
      .register(documentation, { description: 'Days the window starts on: 0 is Sunday, 6 Saturday. Default: every day.' }),
    start: clock.register(documentation, { description: 'Local start time, HH:MM.' }),
    end: clock.register(documentation, { description: 'Local end time, HH:MM. An end not after the start runs past midnight; start and end differ.' }),
    timeZone: z
      .string()
      .refine(isTimeZone, 'is not an IANA time zone (e.g. Asia/Taipei)')
      .default('Asia/Taipei')
      .register(documentation, { description: 'IANA time zone of start and end.' }),
  })
  .refine((w) => w.start !== w.end, { message: 'start and end are equal; a window must have a length', path: ['end'] })
  .register(documentation, {
    id: 'MaintenanceWindow',
    description: 'A regular maintenance window: the hub reports the agency as in maintenance and does not ask it.',
  });

export const fieldSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'use a lower-case letter, then lower-case letters, digits and underscores (at most 64)')
      .register(documentation, { description: 'The member name of this field in each record of data.json.' }),
    name: localized,
    type: z.enum(FIELD_TYPES).register(documentation, {
      description: 'string; number; date (YYYY-MM-DD or an ISO 8601 date-time); boolean; image (a base64 PNG or JPEG).',
    }),
  })
  .register(documentation, { id: 'Field', description: 'One field of the records of a data set.' });

export const datasetEntrySchema = z
  .strictObject({
    id: slug.register(documentation, { description: 'The data set id, unique across the whole registry; the dataset claim of request tokens.' }),
    name: localized,
    description: localized,
    category: z.enum(DATASET_CATEGORIES).register(documentation, { description: 'The catalogue category the portal lists the data set under.' }),
    fields: z.array(fieldSchema).min(1).register(documentation, { description: 'The fields of each record, in display order; field ids unique.' }),
    formats: z
      .array(z.enum(['json', 'pdf']))
      .min(1)
      .register(documentation, { description: 'What the package holds; every package has both data.json and data.pdf.' }),
    /** Lowest identity assurance level accepted: 1 is the strongest (certificate), 4 the weakest. */
    min_assurance_level: z.number().int().min(1).max(4).register(documentation, {
      description:
        'The weakest identity assurance level accepted: 1 certificate or chip card (strongest), 2 mobile ID, 3 health-insurance card, 4 two documents.',
    }),
    typical_preparation_seconds: z
      .number()
      .int()
      .min(0)
      .register(documentation, { description: 'About how long the agency needs; 0 answers at once, more means it answers 202 first.' }),
  })
  .superRefine((dataset, ctx) => {
    const seen = new Set<string>();
    dataset.fields.forEach((field, i) => {
      if (seen.has(field.id)) ctx.addIssue({ code: 'custom', message: `repeats the field id ${field.id}`, path: ['fields', i, 'id'] });
      seen.add(field.id);
    });
  })
  .register(documentation, { id: 'Dataset', description: 'A data set the agency serves.' });

export const agencyEntrySchema = z
  .strictObject({
    id: slug.register(documentation, { description: 'The agency id: the aud claim of the request tokens the hub sends it.' }),
    name: localized,
    base_url: httpUrl(
      'Where the agency serves the Provider API: POST /v1/packages, GET /healthz and GET /.well-known/jwks.json at the root of this origin (a path is ignored).',
    ),
    jwks_url: httpUrl("Where the agency's package-signing keys are, when not at /.well-known/jwks.json of base_url.").optional(),
    maintenance: z.array(maintenanceWindowSchema).default([]),
    datasets: z.array(datasetEntrySchema).min(1).max(100),
  })
  .register(documentation, { id: 'Agency', description: 'An agency (data provider) and the data sets it serves.' });

export const registrySchema = z
  .strictObject({
    $schema: z.string().optional().register(documentation, { description: 'Where this schema is, for editors; ignored by the hub.' }),
    agencies: z.array(agencyEntrySchema).min(1),
  })
  .superRefine((registry, ctx) => {
    const agencies = new Map<string, number>();
    const datasets = new Map<string, string>();
    registry.agencies.forEach((agency, a) => {
      if (agencies.has(agency.id)) ctx.addIssue({ code: 'custom', message: `agency ${agency.id} is registered twice`, path: ['agencies', a, 'id'] });
      agencies.set(agency.id, a);
      agency.datasets.forEach((dataset, d) => {
        const owner = datasets.get(dataset.id);
        if (owner !== undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `data set ${dataset.id} is registered twice (also by ${owner})`,
            path: ['agencies', a, 'datasets', d, 'id'],
          });
        }
        datasets.set(dataset.id, agency.id);
      });
    });
  })
  .register(documentation, {
    title: 'OpenMyData registry',
    description:
      'Agencies and the data sets they serve, as an operator registers them with the hub (REGISTRY_FILE, npm run operator -- agency add FILE). Agency ids and data set ids are each unique across the registry.',
  });

export type Registry = z.infer<typeof registrySchema>;
export type AgencyEntry = z.infer<typeof agencyEntrySchema>;
export type DatasetEntry = z.infer<typeof datasetEntrySchema>;
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;
export type FieldEntry = z.infer<typeof fieldSchema>;

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** The JSON Schema (2020-12) of a registry file, as published in docs/registry.schema.json. */
export function registryJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(registrySchema, { target: 'draft-2020-12', io: 'input', metadata: documentation }) as Record<string, unknown>;
}

const MAX_LISTED_PROBLEMS = 20;

/** One problem per line, each naming where it is, with the ids along the way: agencies[1] (bli).datasets[0] (income).id */
export function describeRegistryIssues(json: unknown, issues: z.ZodError['issues']): string[] {
  const lines = issues.slice(0, MAX_LISTED_PROBLEMS).map((issue) => `  - ${issuePath(json, issue.path)}: ${issue.message}`);
  if (issues.length > MAX_LISTED_PROBLEMS) lines.push(`  - … and ${issues.length - MAX_LISTED_PROBLEMS} more`);
  return lines;
}

function issuePath(json: unknown, path: readonly PropertyKey[]): string {
  let text = '';
  let node: unknown = json;
  for (const key of path) {
    node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === 'number') {
      const id = node !== null && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      text += `[${key}]${typeof id === 'string' && id.length <= 64 ? ` (${id})` : ''}`;
    } else {
      text += `${text === '' ? '' : '.'}${String(key)}`;
    }
  }
  return text || '(the whole file)';
}

export function parseRegistry(json: unknown, source = 'registry'): Registry {
  const parsed = registrySchema.safeParse(json);
  if (!parsed.success) throw new RegistryError(`${source} is invalid:\n${describeRegistryIssues(json, parsed.error.issues).join('\n')}`);
  return parsed.data;
}

export async function loadRegistryFile(path: string): Promise<Registry> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RegistryError(`cannot read registry file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RegistryError(`registry file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseRegistry(json, path);
}

/**
 * Several registries as one (the demo's own and the files an outside agency brings). An agency id
 * or data set id that two sources both register is refused, naming both: one never silently
 * replaces the other.
 */
export function mergeRegistries(parts: ReadonlyArray<{ source: string; registry: Registry }>): Registry {
  const agencyOwner = new Map<string, string>();
  const datasetOwner = new Map<string, { source: string; agency: string }>();
  const problems: string[] = [];
  for (const { source, registry } of parts) {
    for (const agency of registry.agencies) {
      const earlier = agencyOwner.get(agency.id);
      if (earlier !== undefined) problems.push(`  - agency ${agency.id} is in both ${earlier} and ${source}`);
      else agencyOwner.set(agency.id, source);
      for (const dataset of agency.datasets) {
        const other = datasetOwner.get(dataset.id);
        if (other !== undefined && other.agency !== agency.id) {
          problems.push(`  - data set ${dataset.id} is registered by ${other.agency} in ${other.source} and by ${agency.id} in ${source}`);
        } else if (other === undefined) {
          datasetOwner.set(dataset.id, { source, agency: agency.id });
        }
      }
    }
  }
  if (problems.length > 0) throw new RegistryError(`the registries cannot be combined: ids must be unique across them:\n${problems.join('\n')}`);
  return { agencies: parts.flatMap((p) => p.registry.agencies) };
}
