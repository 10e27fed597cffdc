// The registry file: the agencies and data sets an operator has registered, validated before use.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const localized = z.object({ 'zh-TW': z.string().min(1).max(500), en: z.string().min(1).max(500) });
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and hyphens');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

export const maintenanceWindowSchema = z.object({
  days: z.array(z.number().int().min(0).max(6)).optional(),
  start: clock,
  end: clock,
  timeZone: z.string().default('Asia/Taipei'),
});

export const fieldSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  name: localized,
  type: z.enum(['string', 'number', 'date', 'boolean', 'image']),
});

export const datasetEntrySchema = z.object({
  id: slug,
  name: localized,
  description: localized,
  category: slug,
  fields: z.array(fieldSchema).min(1),
  formats: z.array(z.enum(['json', 'pdf'])).min(1),
  /** Lowest identity assurance level accepted: 1 is the strongest (certificate), 4 the weakest. */
  min_assurance_level: z.number().int().min(1).max(4),
  typical_preparation_seconds: z.number().int().min(0),
});

export const agencyEntrySchema = z.object({
  id: slug,
  name: localized,
  base_url: z.url({ protocol: /^https?$/ }),
  jwks_url: z.url({ protocol: /^https?$/ }).optional(),
  maintenance: z.array(maintenanceWindowSchema).default([]),
  datasets: z.array(datasetEntrySchema).min(1),
});

export const registrySchema = z.object({ agencies: z.array(agencyEntrySchema).min(1) }).superRefine((registry, ctx) => {
  const seen = new Set<string>();
  for (const agency of registry.agencies) {
    for (const dataset of agency.datasets) {
      if (seen.has(dataset.id)) ctx.addIssue({ code: 'custom', message: `data set ${dataset.id} is registered twice` });
      seen.add(dataset.id);
    }
  }
  const agencies = new Set<string>();
  for (const agency of registry.agencies) {
    if (agencies.has(agency.id)) ctx.addIssue({ code: 'custom', message: `agency ${agency.id} is registered twice` });
    agencies.add(agency.id);
  }
});

export type Registry = z.infer<typeof registrySchema>;
export type AgencyEntry = z.infer<typeof agencyEntrySchema>;
export type DatasetEntry = z.infer<typeof datasetEntrySchema>;
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;
export type FieldEntry = z.infer<typeof fieldSchema>;

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

export function parseRegistry(json: unknown, source = 'registry'): Registry {
  const parsed = registrySchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new RegistryError(`${source} is invalid:\n${lines.join('\n')}`);
  }
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
  } catch {
    throw new RegistryError(`registry file ${path} is not valid JSON`);
  }
  return parseRegistry(json, path);
}
