// Just enough MIME to show the demo's own notices: unfolded headers with RFC 2047 encoded words,
// nested multiparts, base64 and quoted-printable bodies, and the charsets TextDecoder knows.
// Not a general mail parser; anything it cannot read shows up as empty text, never as an error.

export interface ParsedMessage {
  subject: string;
  from: string;
  to: string;
  text: string;
  html: string | undefined;
}

type Headers = Map<string, string>;

function utf8FromBinary(value: string): string {
  return Buffer.from(value, 'latin1').toString('utf8');
}

function decodeBytes(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function decodeQuotedPrintable(body: string, underscoreIsSpace = false): Buffer {
  const text = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    const hex = text.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (char === '_' && underscoreIsSpace) {
      bytes.push(0x20);
    } else {
      bytes.push(text.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047: =?charset?B|Q?text?= words; whitespace between two adjacent words is dropped. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g, '$1')
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (_word, charset: string, encoding: string, text: string) => {
      const cleanCharset = charset.split('*')[0];
      const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text, true);
      return decodeBytes(bytes, cleanCharset);
    });
}

function splitHead(raw: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return { head: raw, body: '' };
  return { head: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) };
}

function parseHeaders(head: string): Headers {
  const headers: Headers = new Map();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // First occurrence wins, as for the fields shown here (Subject, From, To, Content-*).
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

function contentType(headers: Headers): { type: string; params: Map<string, string> } {
  const [type = 'text/plain', ...rest] = (headers.get('content-type') ?? 'text/plain').split(';');
  const params = new Map<string, string>();
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    params.set(
      param.slice(0, eq).trim().toLowerCase(),
      param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    );
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodeBody(headers: Headers, body: string, charset: string | undefined): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : Buffer.from(body, 'latin1');
  return decodeBytes(bytes, charset).replace(/\r\n/g, '\n');
}

function collectParts(raw: string, found: { text?: string; html?: string }, depth: number): void {
  if (depth > 8) return;
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const { type, params } = contentType(headers);
  if (type.startsWith('multipart/')) {
    const boundary = params.get('boundary');
    if (!boundary) return;
    const delimiter = `--${boundary}`;
    const sections = body.split(new RegExp(`\\r?\\n?${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // sections[0] is the preamble; a section starting with "--" is the closing delimiter's epilogue.
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      collectParts(section.replace(/^[ \t]*\r?\n/, ''), found, depth + 1);
    }
    return;
  }
  if (/^\s*attachment/i.test(headers.get('content-disposition') ?? '')) return;
  if (type === 'text/plain' && found.text === undefined) found.text = decodeBody(headers, body, params.get('charset'));
  if (type === 'text/html' && found.html === undefined) found.html = decodeBody(headers, body, params.get('charset'));
}

export function parseMessage(raw: Buffer): ParsedMessage {
  const binary = raw.toString('latin1');
  const headers = parseHeaders(splitHead(binary).head);
  const header = (name: string) => decodeWords(utf8FromBinary(headers.get(name) ?? ''));
  const found: { text?: string; html?: string } = {};
  collectParts(binary, found, 0);
  return { subject: header('subject'), from: header('from'), to: header('to'), text: found.text ?? '', html: found.html };
}
