// A consent granted and consumed through the real repository, as the broker requires: tests of the
// broker itself fetch under it without the rest of the retrieval path.
import assert from 'node:assert/strict';
import { type ConsumedConsent, consumeConsent, insertConsent } from '../../src/consent/consent-repository.ts';
import type { HubCore } from '../../src/hub.ts';

export async function consumedConsent(
  hub: Pick<HubCore, 'db' | 'subjectKey'>,
  nationalId: string,
  datasets: readonly string[],
  purpose = 'test',
): Promise<ConsumedConsent> {
  let subjectKey: string;
  try {
    subjectKey = hub.subjectKey(nationalId);
  } catch {
    // An invalid ID has no subject key; the broker refuses it before any agency is asked.
    subjectKey = 'f'.repeat(64);
  }
  const consent = await insertConsent(hub.db, { subjectKey, datasets, recipient: { kind: 'self', id: 'self' }, purpose, validForMs: 60_000 });
  const used = await consumeConsent(hub.db, consent.id);
  assert.ok(used, 'a fresh consent can be consumed');
  return used;
}
