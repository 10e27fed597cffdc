// Chromium driven by playwright-core: the system's, or the one inside @sparticuz/chromium on a
// machine without it (never a downloaded browser; see system-tools.ts), and axe-core run in the
// page for accessibility checks.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type BrowserExecutable, chromiumExecutable } from './system-tools.ts';

export async function launchBrowser(): Promise<{ browser: Browser; executable: BrowserExecutable; close(): Promise<void> }> {
  const executable = await chromiumExecutable();
  // Playwright gives each launch a fresh temporary profile of its own.
  const browser = await chromium
    .launch({
      executablePath: executable.path,
      env: { ...process.env, ...executable.env },
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    .catch((error: unknown) => {
      executable.cleanUp();
      throw error;
    });
  return {
    browser,
    executable,
    async close() {
      await browser.close();
      executable.cleanUp();
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** Serious and critical axe-core violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol, which the pages' CSP (no inline scripts) does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: unknown[] }> }> };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
