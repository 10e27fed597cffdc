// Small text helpers every side renders with: HTML escaping and the Taiwan wall clock.

/** Escapes text for HTML element content and quoted attribute values (numeric references). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const TAIPEI = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Taipei',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** `2025-03-04 14:05:09` (or without seconds), in Asia/Taipei whatever the server's zone. */
export function taipeiClock(at: Date, options: { seconds?: boolean } = {}): string {
  const p: Record<string, string> = {};
  for (const part of TAIPEI.formatToParts(at)) p[part.type] = part.value;
  const clock = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  return options.seconds === false ? clock : `${clock}:${p.second}`;
}
