// Maintenance windows: whether the agency is down for maintenance now, and for how much longer.
import type { MaintenanceWindow } from './types.ts';

const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

interface CompiledWindow {
  days: number[];
  /** Minutes after local midnight. */
  start: number;
  /** Length in minutes; a window past midnight simply runs into the next day. */
  length: number;
  format: Intl.DateTimeFormat;
}

/** Validates the windows once at start-up; a bad value throws naming the window. */
export function compileMaintenance(windows: readonly MaintenanceWindow[]): (now: Date) => number | null {
  const compiled = windows.map((w, i) => compileWindow(w, i));
  return (now) => secondsUntilMaintenanceEnds(compiled, now);
}

function compileWindow(window: MaintenanceWindow, index: number): CompiledWindow {
  const where = `maintenance[${index}]`;
  const start = parseClock(window.start, `${where}.start`);
  const end = parseClock(window.end, `${where}.end`);
  if (start === end) throw new Error(`${where}: start and end are equal; a window must have a length`);
  const days = window.days ?? [0, 1, 2, 3, 4, 5, 6];
  if (days.length === 0 || days.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) {
    throw new Error(`${where}.days: use integers 0 (Sunday) to 6 (Saturday)`);
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: window.timeZone ?? 'Asia/Taipei',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    throw new Error(`${where}.timeZone: ${String(window.timeZone)} is not an IANA time zone`);
  }
  return { days: [...new Set(days)], start, length: (end - start + MINUTES_PER_DAY) % MINUTES_PER_DAY, format };
}

function parseClock(value: string, where: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!match) throw new Error(`${where}: expected 'HH:MM' (00:00 to 23:59), got ${JSON.stringify(value)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Seconds of the week (local to the window's zone) at `now`. */
function secondOfWeek(format: Intl.DateTimeFormat, now: Date): number {
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(now)) parts[part.type] = part.value;
  const day = WEEKDAYS[parts.weekday ?? ''] ?? 0;
  return ((day * 24 + Number(parts.hour)) * 60 + Number(parts.minute)) * 60 + Number(parts.second);
}

/** Seconds the window containing `at` still runs, or 0 when `at` is outside it. */
function remainingIn(window: CompiledWindow, at: Date): number {
  const now = secondOfWeek(window.format, at);
  let remaining = 0;
  for (const day of window.days) {
    const start = (day * MINUTES_PER_DAY + window.start) * 60;
    // A window starting late on Saturday runs into Sunday: try the start a week earlier too.
    for (const shifted of [start, start - MINUTES_PER_WEEK * 60]) {
      const end = shifted + window.length * 60;
      if (now >= shifted && now < end) remaining = Math.max(remaining, end - now);
    }
  }
  return remaining;
}

/** null when no window is open; else whole seconds (>= 1) until every window open then has ended. */
function secondsUntilMaintenanceEnds(windows: readonly CompiledWindow[], now: Date): number | null {
  let total = 0;
  // Windows may touch or overlap (e.g. 23:00-24:00 then 00:00-02:00): follow them to the real end.
  for (let hops = 0; hops < 16; hops++) {
    const at = new Date(now.getTime() + total * 1000);
    const remaining = Math.max(0, ...windows.map((w) => remainingIn(w, at)));
    if (remaining === 0) break;
    total += remaining;
  }
  return total === 0 ? null : Math.max(1, Math.ceil(total));
}
