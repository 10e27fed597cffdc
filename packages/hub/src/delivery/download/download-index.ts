// index.json at the root of a download, and where each data set sits inside the ZIP. The index is
// non-personal: which data sets, from which agencies, their signing-key URLs and package digests.
// It is not signed (the agencies' signatures are inside each package.zip); it tells a verifier
// where to find each agency's keys and lets a person check that nothing is missing.
import { z } from 'zod';

export const DOWNLOAD_FORMAT = 'openmydata-download';

export const DOWNLOAD_PATHS = {
  readme: 'README.txt',
  /** The one ZIP (no password of its own) inside the encrypted download holding index.json and the data set folders. */
  contents: 'contents.zip',
  index: 'index.json',
  package: 'package.zip',
  pdf: 'data.pdf',
  data: 'data.json',
} as const;

/** Agency and data set ids become folder names, so they must be plain slugs. */
export const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function folderOf(agency: string, dataset: string): string {
  return `${agency}/${dataset}/`;
}

/** `<agency>/<dataset>/<file>` back into its parts, or undefined for any other path. */
export function parseEntryPath(path: string): { agency: string; dataset: string; file: string } | undefined {
  const parts = path.split('/');
  if (parts.length !== 3) return undefined;
  const [agency, dataset, file] = parts as [string, string, string];
  if (!SLUG.test(agency) || !SLUG.test(dataset) || file === '') return undefined;
  return { agency, dataset, file };
}

const localized = z.object({ 'zh-TW': z.string(), en: z.string() });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const downloadIndexSchema = z.object({
  format: z.literal(DOWNLOAD_FORMAT),
  version: z.literal(1),
  created_at: z.string(),
  label: z.string().optional(),
  agencies: z.array(z.object({ id: z.string().regex(SLUG), name: localized, jwks_url: z.url({ protocol: /^https?$/ }) })),
  datasets: z.array(
    z.object({
      id: z.string().regex(SLUG),
      agency: z.string().regex(SLUG),
      name: localized,
      folder: z.string(),
      package: z.object({ path: z.string(), sha256, size: z.number().int().nonnegative() }),
      signature: z.object({ kid: z.string(), signed_at: z.string(), transaction_id: z.string() }),
      files: z.array(z.object({ path: z.string(), sha256, size: z.number().int().nonnegative(), media_type: z.string() })),
    }),
  ),
});

export type DownloadIndex = z.infer<typeof downloadIndexSchema>;
export type DownloadIndexDataset = DownloadIndex['datasets'][number];
