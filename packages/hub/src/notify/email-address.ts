// A sane check of an email address (not the whole of RFC 5322): dot-atom local part, a host name
// of at least two labels, 254 characters at most. Also parses a sender such as
// `OpenMyData <no-reply@openmydata.invalid>`.

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export function isValidEmail(address: unknown): address is string {
  if (typeof address !== 'string' || address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at < 1) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return false;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return false;
  // A top-level domain is never all digits; this also turns away bare IPv4 addresses.
  return !/^\d+$/.test(labels[labels.length - 1] ?? '');
}

export interface Mailbox {
  name?: string;
  address: string;
}

const NAMED = /^\s*(?:"([^"\\]*)"|([^"<>]*?))\s*<([^<>\s]+)>\s*$/;

function hasControlCharacter(value: string): boolean {
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/** `address` or `Display Name <address>`; undefined when it is neither. */
export function parseMailbox(value: string): Mailbox | undefined {
  if (hasControlCharacter(value)) return undefined;
  const trimmed = value.trim();
  if (isValidEmail(trimmed)) return { address: trimmed };
  const match = NAMED.exec(value);
  if (!match) return undefined;
  const name = (match[1] ?? match[2] ?? '').trim();
  const address = match[3] ?? '';
  if (!isValidEmail(address) || name.length > 100) return undefined;
  return name ? { name, address } : { address };
}
