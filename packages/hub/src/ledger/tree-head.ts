// Signed tree heads. The signed bytes are the canonical JSON of {root_hash, timestamp, tree_size}
// (root_hash in standard base64, timestamp in ms since the epoch). The signature is a compact JWS
// (ES256) with a detached payload, "<protected>..<signature>" (RFC 7515 Appendix F): anyone can
// rebuild the payload from the three published fields and check it with the hub's key.
import { CompactSign, flattenedVerify, type JWK, importJWK } from 'jose';
import type { HubSigningKey } from '../keys/hub-keys.ts';
import { canonicalBytes } from './canonical-json.ts';

export const TREE_HEAD_TYP = 'openmydata-sth+jws';

export interface TreeHead {
  treeSize: number;
  timestamp: number;
  rootHash: Buffer;
}

export interface SignedTreeHead extends TreeHead {
  signature: string;
  keyId: string;
}

/** The JSON shape published at GET /api/v1/ledger/sth and inside exported proofs. */
export interface TreeHeadView {
  tree_size: number;
  timestamp: number;
  root_hash: string;
  signature: string;
  key_id: string;
}

export function treeHeadPayload(head: TreeHead): Buffer {
  return canonicalBytes({ root_hash: head.rootHash.toString('base64'), timestamp: head.timestamp, tree_size: head.treeSize });
}

export async function signTreeHead(head: TreeHead, key: HubSigningKey): Promise<SignedTreeHead> {
  const jws = await new CompactSign(treeHeadPayload(head)).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: TREE_HEAD_TYP }).sign(key.privateKey);
  const [protectedHeader, , signature] = jws.split('.');
  return { ...head, signature: `${protectedHeader}..${signature}`, keyId: key.kid };
}

/** True when the signature is an ES256 JWS by this key over exactly this head. */
export async function verifyTreeHead(head: SignedTreeHead, jwk: JWK): Promise<boolean> {
  const parts = head.signature.split('.');
  if (parts.length !== 3 || parts[1] !== '' || jwk.kid !== head.keyId) return false;
  try {
    const key = await importJWK(jwk, 'ES256');
    const { protectedHeader } = await flattenedVerify(
      { protected: parts[0] as string, payload: treeHeadPayload(head).toString('base64url'), signature: parts[2] as string },
      key,
      { algorithms: ['ES256'] },
    );
    return protectedHeader?.kid === head.keyId && protectedHeader.typ === TREE_HEAD_TYP;
  } catch {
    return false;
  }
}

export function treeHeadView(head: SignedTreeHead): TreeHeadView {
  return { tree_size: head.treeSize, timestamp: head.timestamp, root_hash: head.rootHash.toString('base64'), signature: head.signature, key_id: head.keyId };
}

export function treeHeadFromView(view: TreeHeadView): SignedTreeHead {
  return {
    treeSize: view.tree_size,
    timestamp: view.timestamp,
    rootHash: Buffer.from(view.root_hash, 'base64'),
    signature: view.signature,
    keyId: view.key_id,
  };
}
