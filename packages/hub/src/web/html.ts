// Server-rendered HTML with escaping by default: interpolated values are escaped unless they are
// already Html (from this same tag), so a page cannot be broken by what a registry or person typed.
import { escapeHtml } from '@openmydata/protocol';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export { escapeHtml };

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Trusted markup from our own code only (never from input). */
export function raw(markup: string): Html {
  return new Html(markup);
}
