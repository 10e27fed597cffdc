// One error class for every problem the hub answers; it renders as RFC 9457 problem+json.
import type { Problem } from '@openmydata/protocol';
import { ERROR_CATALOGUE, type ErrorCode } from './catalogue.ts';

export type Language = 'en' | 'zh-TW';

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    /** Public, safe to show: never personal data. */
    readonly detail?: string,
    /** Internal only: logged, never sent. */
    readonly internal?: unknown,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? code);
    this.status = ERROR_CATALOGUE[code].status;
  }
}

export function problemOf(
  code: ErrorCode,
  options: { detail?: string; instance?: string; language?: Language; extensions?: Record<string, unknown> } = {},
): Problem {
  const definition = ERROR_CATALOGUE[code];
  return {
    type: `/problems/${code}`,
    title: definition.title[options.language ?? 'en'],
    status: definition.status,
    code,
    ...(options.detail ? { detail: options.detail } : {}),
    ...(options.instance ? { instance: options.instance } : {}),
    ...options.extensions,
  };
}

/** zh-TW when the client prefers Chinese, English otherwise. */
export function languageOf(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return 'en';
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('zh') ? 'zh-TW' : 'en';
}
