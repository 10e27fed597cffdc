// The counters registry: local governments, their offices, and each office's counter services with
// the data sets a service needs and why. One zod schema validates the registry file
// (COUNTER_REGISTRY_FILE, `npm run operator -- counter add FILE`) before anything is stored.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RegistryError } from '../catalog/registry.ts';
import { looksLikePersonId } from '../ledger/entry.ts';

const localized = z.strictObject({ 'zh-TW': z.string().min(1).max(200), en: z.string().min(1).max(200) });
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'use lower-case letters, digits and hyphens (at most 64, not starting with a hyphen)');
// A purpose goes into the ledger and the consent receipt, which may not hold an ID or an address.
const purpose = localized.refine((p) => !looksLikePersonId(p['zh-TW']) && !looksLikePersonId(p.en) && !p['zh-TW'].includes('@') && !p.en.includes('@'), {
  message: 'a purpose may not hold a national ID or an e-mail address',
});

export const counterServiceSchema = z.strictObject({
  id: slug,
  name: localized,
  purpose,
  datasets: z
    .array(slug)
    .min(1)
    .max(20)
    .refine((ids) => new Set(ids).size === ids.length, 'a data set is listed twice'),
});

export const counterOfficeSchema = z.strictObject({
  id: slug,
  name: localized,
  address: localized,
  services: z.array(counterServiceSchema).min(1).max(100),
});

export const localGovernmentSchema = z.strictObject({
  id: slug,
  name: localized,
  offices: z.array(counterOfficeSchema).min(1).max(200),
});

export const counterRegistrySchema = z.strictObject({ governments: z.array(localGovernmentSchema).max(100) }).superRefine((registry, ctx) => {
  const seen = new Set<string>();
  for (const [gi, g] of registry.governments.entries()) {
    for (const [oi, o] of g.offices.entries()) {
      if (seen.has(`office:${o.id}`))
        ctx.addIssue({ code: 'custom', message: `office id ${o.id} is used twice`, path: ['governments', gi, 'offices', oi, 'id'] });
      seen.add(`office:${o.id}`);
      for (const [si, sv] of o.services.entries()) {
        if (seen.has(`service:${sv.id}`))
          ctx.addIssue({
            code: 'custom',
            message: `counter service id ${sv.id} is used twice`,
            path: ['governments', gi, 'offices', oi, 'services', si, 'id'],
          });
        seen.add(`service:${sv.id}`);
      }
    }
  }
});

export type CounterRegistry = z.infer<typeof counterRegistrySchema>;
export type LocalGovernmentEntry = z.infer<typeof localGovernmentSchema>;

export function parseCounterRegistry(json: unknown, source = 'counters registry'): CounterRegistry {
  const parsed = counterRegistrySchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 20).map((i) => `  - ${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new RegistryError(`${source} is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export async function loadCounterRegistryFile(path: string): Promise<CounterRegistry> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RegistryError(`cannot read counters registry file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RegistryError(`counters registry file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseCounterRegistry(json, `counters registry file ${path}`);
}
