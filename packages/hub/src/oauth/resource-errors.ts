// The data endpoint's OAuth errors (RFC 6750 section 3, RFC 9449 section 7.1): 401 with a
// WWW-Authenticate challenge for the DPoP scheme, and the same error as a small JSON body. The
// description is public; nothing about the person is ever in it.
import type { FastifyReply } from 'fastify';

/** What a DPoP proof may be signed with (FAPI 2.0: PS256, ES256, EdDSA). */
export const DPOP_ALGS = ['ES256', 'PS256', 'EdDSA'];

export type ResourceErrorCode = 'invalid_token' | 'invalid_dpop_proof' | 'invalid_request';

export class ResourceError extends Error {
  override readonly name = 'ResourceError';
  constructor(
    readonly error: ResourceErrorCode,
    readonly description: string,
  ) {
    super(description);
  }

  get status(): number {
    return this.error === 'invalid_request' ? 400 : 401;
  }
}

const quoted = (value: string) => `"${value.replace(/[\\"]/g, "'").replace(/[^\x20-\x7e]/g, '?')}"`;

export function sendResourceError(reply: FastifyReply, error: ResourceError): FastifyReply {
  return reply
    .code(error.status)
    .header('www-authenticate', `DPoP error=${quoted(error.error)}, error_description=${quoted(error.description)}, algs="${DPOP_ALGS.join(' ')}"`)
    .type('application/json; charset=utf-8')
    .send({ error: error.error, error_description: error.description });
}
