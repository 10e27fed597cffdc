// How a card slot is named over the wire and on screen: the card's short number and a masked ID, as a
// card-reader helper would show a chip card. Never the full ID, never the holder's name.
import type { CitizenCard } from '../ca/index.ts';

/** First letter and last three digits: A123456789 -> A******789. */
export function maskNationalId(nationalId: string): string {
  return `${nationalId.slice(0, 1)}******${nationalId.slice(-3)}`;
}

/** The first six hex digits of the certificate serial number, upper case. */
export function shortCardNumber(card: CitizenCard): string {
  return card.id.slice(0, 6).toUpperCase();
}

/** e.g. "Citizen card #3F9A2C · A******789" */
export function cardLabel(card: CitizenCard): string {
  return `Citizen card #${shortCardNumber(card)} · ${maskNationalId(card.nationalId)}`;
}
