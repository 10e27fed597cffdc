// Content-Security-Policy violations a page reports, so browser tests fail on any (an inline style
// or script the policy blocks is a broken page for the person, even when the test's clicks work).
import type { BrowserContext, Page } from 'playwright-core';

const VIOLATION = /Content Security Policy|Refused to (apply|execute|load|connect|frame)/i;
const seen = new WeakMap<Page, string[]>();

function watch(page: Page): void {
  if (seen.has(page)) return;
  const found: string[] = [];
  seen.set(page, found);
  page.on('console', (message) => {
    if (VIOLATION.test(message.text())) found.push(`${page.url()}: ${message.text()}`);
  });
}

/** Watches every page of the context, present and future. */
export function watchCsp(context: BrowserContext): void {
  for (const page of context.pages()) watch(page);
  context.on('page', watch);
}

/** What the page has reported so far (empty when it was never watched). */
export function cspViolations(page: Page): string[] {
  return [...(seen.get(page) ?? [])];
}
