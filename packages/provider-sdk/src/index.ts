// @openmydata/provider-sdk: an agency writes one function (subject, data set) -> records and gets the Provider API.
export { createProvider } from './provider.ts';
export { KeyRing, type KeyRingOptions } from './key-ring.ts';
export { renderPdf, type RenderPdfInput } from './pdf.ts';
export { bundledCjkFont, findCjkFont, CJK_TC_POSTSCRIPT_NAME } from './font.ts';
export { MemoryReplayStore, type ReplayStore } from './replay-store.ts';
export { buildPackage, type BuildPackageInput } from './build-package.ts';
export { PROBLEM_CATALOGUE, PROBLEM_TYPE_PREFIX, RETIRED_PROBLEM_CODES, ProviderError, type ProblemCode } from './errors.ts';
export { formatDate, rocDate } from './format.ts';
export type {
  DatasetHandler,
  DatasetRecords,
  FetchContext,
  FieldSpec,
  FieldValue,
  ListeningProvider,
  LocalizedText,
  Logger,
  MaintenanceWindow,
  Provider,
  ProviderOptions,
} from './types.ts';
