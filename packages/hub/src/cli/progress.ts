// Live per-data-set progress for a terminal: one line per data set, redrawn in place on a TTY,
// one line per change otherwise (logs, CI).
import type { DatasetOutcome, ProgressEvent } from '../broker/outcome.ts';
import { FAILURE_MESSAGES } from '../broker/outcome.ts';

const SYMBOL: Record<ProgressEvent['state'], string> = {
  requesting: '…',
  preparing: '⏳',
  retrying: '↻',
  verifying: '🔏',
  ok: '✔',
  no_data: '∅',
  failed: '✘',
};

const LABEL: Record<ProgressEvent['state'], string> = {
  requesting: 'requesting 請求中',
  preparing: 'agency preparing 機關備妥中',
  retrying: 'retrying 重試中',
  verifying: 'verifying signature 驗證簽章中',
  ok: 'ok 完成',
  no_data: 'no data held 查無資料',
  failed: 'failed 失敗',
};

export class ProgressDisplay {
  private readonly lines = new Map<string, string>();
  private drawn = 0;
  private readonly started = Date.now();

  constructor(
    private readonly datasets: readonly string[],
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    for (const id of datasets) this.lines.set(id, `  ${id.padEnd(24)} waiting 等待中`);
  }

  get live(): boolean {
    return Boolean(this.out.isTTY);
  }

  update(event: ProgressEvent): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1).padStart(5);
    const extra = event.retryAfterSeconds !== undefined ? ` (again in ${event.retryAfterSeconds.toFixed(1)} s)` : '';
    const line = `${SYMBOL[event.state]} ${event.dataset.padEnd(24)} ${LABEL[event.state]}${extra}  ${seconds} s`;
    this.lines.set(event.dataset, line);
    if (this.live) this.redraw();
    else this.out.write(`${line}\n`);
  }

  private redraw(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
    for (const id of this.datasets) this.out.write(`\x1b[2K${this.lines.get(id) ?? ''}\n`);
    this.drawn = this.datasets.length;
  }
}

export function describeOutcome(outcome: DatasetOutcome): string {
  const head = `${outcome.dataset} (${outcome.agency ?? 'no agency'}, ${outcome.requests} request${outcome.requests === 1 ? '' : 's'}, ${outcome.elapsedMs} ms)`;
  switch (outcome.status) {
    case 'ok': {
      const files = [...outcome.package.files].map(([name, data]) => `${name} ${data.length} B`).join(', ');
      return `✔ ${head}: verified, signed by key ${outcome.package.kid}; ${files}`;
    }
    case 'no_data':
      return `∅ ${head}: the agency holds no data on this person / 機關查無資料`;
    case 'preparing':
      return `⏳ ${head}: still being prepared, ask again in ${outcome.retryAfterSeconds} s`;
    case 'failed': {
      const message = FAILURE_MESSAGES[outcome.reason];
      const code = outcome.code ? ` [${outcome.code}]` : '';
      const later = outcome.retryAfterSeconds !== undefined ? ` Try again in ${outcome.retryAfterSeconds} s.` : '';
      return `✘ ${head}: ${outcome.reason}${code}: ${message.en} ${message['zh-TW']} (${outcome.detail})${later}`;
    }
  }
}
