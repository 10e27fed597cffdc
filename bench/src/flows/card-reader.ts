// The citizen-certificate card reader as the bench plays it. The demo's signer process holds one
// card at a time, which is right for one person at one desk and wrong for hundreds of people
// signing in at once; so each flow does what the signer would do for its own citizen's card: take
// the signer address and nonce from the hub's page, refuse any page origin but the hub's, and sign
// the nonce with the demo's own code (signWithCard, which also refuses anything not shaped like a
// hub nonce).
import type { DemoCa } from '../../../demo/src/ca/index.ts';
import { type SignedChallenge, signWithCard } from '../../../demo/src/signer/sign-nonce.ts';
import { FlowError } from './browser.ts';

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/;

export async function signAtReader(
  ca: DemoCa,
  nationalId: string,
  request: { signerUrl: string | undefined; nonce: string | undefined; pageOrigin: string; hubOrigin: string },
): Promise<SignedChallenge> {
  if (!request.signerUrl || !LOOPBACK.test(request.signerUrl)) throw new FlowError('certificate page names no loopback card signer');
  if (!request.nonce) throw new FlowError('certificate page has no nonce');
  if (request.pageOrigin !== request.hubOrigin) throw new FlowError('card signer refused: the page is not the hub');
  const card = ca.cards.get(nationalId);
  if (!card) throw new FlowError('card signer: no card for this citizen');
  try {
    return await signWithCard(ca, card, request.nonce);
  } catch {
    throw new FlowError('card signer refused the nonce');
  }
}
