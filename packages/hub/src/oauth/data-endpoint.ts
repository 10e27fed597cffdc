// POST /api/v1/service/data: the service's one data call, with its DPoP-bound access token.
// The checks run in this order, each refusing with its own OAuth error:
//   read_token      Authorization: DPoP <token> (Bearer is refused: the token is sender-constrained)
//   find_token      an access token this server issued, unexpired, for this resource
//   check_proof     the DPoP proof: signature, htm, htu, iat, ath, bound key, first use
//   transfer        the transfer the token was issued for: 202 while agencies prepare, 200 with
//                   the JWE exactly once, problem+json when it failed, invalid_token once used
import { hkdfSync } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { AppError } from '../errors/problem.ts';
import { problemSchema } from '../errors/problem-schema.ts';
import type { DataCall, ServiceTransfers } from '../delivery/service/service-transfers.ts';
import type { Db } from '../store/database.ts';
import { checkDpopProof } from './dpop-proof.ts';
import { ResourceError, sendResourceError } from './resource-errors.ts';
import { parseTransferHandle } from './transfer-handle.ts';

export interface DataEndpointDeps {
  db: Db;
  secret: Buffer;
  provider: Provider;
  /** The endpoint's public URL: the resource indicator, and the htu of every proof. */
  dataEndpoint: string;
  transfers: Pick<ServiceTransfers, 'dataCall'>;
}

const oauthError = z
  .object({ error: z.enum(['invalid_token', 'invalid_dpop_proof', 'invalid_request']), error_description: z.string() })
  .meta({ id: 'OAuthResourceError' });
const datasetResult = z.object({
  dataset: z.string(),
  agency: z.string().nullable(),
  status: z.enum(['ok', 'no_data', 'failed']),
  reason: z.string().nullable().describe('a broker failure reason (docs/provider-api.md) when status is failed'),
});
const preparing = z
  .object({
    status: z.literal('preparing'),
    retry_after: z.number().int().describe('seconds; also in the Retry-After header'),
    datasets: z.array(z.object({ dataset: z.string(), state: z.string() })),
  })
  .meta({ id: 'DeliveryPreparing' });

const TOKEN = /^DPoP ([A-Za-z0-9\-._~+/]+=*)$/;

export function dataEndpointRoutes(parent: FastifyInstance, deps: DataEndpointDeps): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const replayKey = Buffer.from(hkdfSync('sha256', deps.secret, Buffer.alloc(0), 'openmydata dpop replay', 32));

  app.post(
    '/service/data',
    {
      schema: {
        tags: ['services'],
        summary: "A service's one data call (DPoP-bound access token): the delivery as a JWE, once",
        description:
          'Authorization: DPoP <access token> and a DPoP proof for POST on this URL. 200 application/jose: a compact JWE (ECDH-ES+A256KW, A256GCM) to the service’s encryption key holding the manifest and each agency package. 202 while agencies prepare (Retry-After). After the one delivery the token is refused. See docs/service-api.md.',
        response: {
          200: z.string().describe('application/jose: the compact JWE'),
          202: preparing,
          400: oauthError,
          401: oauthError,
          502: problemSchema.extend({ datasets: z.array(datasetResult).optional() }),
        },
      },
    },
    async (request, reply) => {
      try {
        const token = readToken(request);
        const found = await deps.provider.AccessToken.find(token);
        if (!found) throw new ResourceError('invalid_token', 'the access token is unknown, expired or revoked');
        const handle = parseTransferHandle(found.accountId);
        if (!handle) throw new ResourceError('invalid_token', 'the access token is not for a transfer');
        await checkDpopProof(deps.db, replayKey, {
          proof: request.headers.dpop,
          method: 'POST',
          url: deps.dataEndpoint,
          accessToken: token,
          jkt: found.jkt,
        });
        return answer(reply, await deps.transfers.dataCall(handle.retrievalId, found.clientId, handle.key));
      } catch (error) {
        if (error instanceof ResourceError) return sendResourceError(reply, error);
        throw error;
      }
    },
  );
}

function readToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw new ResourceError('invalid_token', 'send the access token as Authorization: DPoP <token>');
  if (/^Bearer /i.test(header)) throw new ResourceError('invalid_token', 'this access token is DPoP-bound: use the DPoP scheme with a DPoP proof, not Bearer');
  const match = TOKEN.exec(header);
  if (!match) throw new ResourceError('invalid_request', 'the Authorization header must be DPoP <token>');
  return match[1] as string;
}

function answer(reply: FastifyReply, call: DataCall): FastifyReply {
  switch (call.kind) {
    case 'delivered':
      return reply.code(200).type('application/jose').header('cache-control', 'no-store').send(call.jwe);
    case 'preparing':
      return reply
        .code(202)
        .header('retry-after', String(call.retryAfterSeconds))
        .send({ status: 'preparing' as const, retry_after: call.retryAfterSeconds, datasets: call.datasets });
    case 'used':
      throw new ResourceError('invalid_token', `the access token was used: its delivery was taken at ${call.at.toISOString()} and the hub keeps no copy`);
    case 'revoked':
      throw new ResourceError('invalid_token', `the person revoked this transfer at ${call.at.toISOString()}, before it was delivered; the data were deleted`);
    case 'unknown':
      throw new ResourceError('invalid_token', 'the access token is not for a transfer this client can take');
    case 'failed':
      throw new AppError(
        call.failure === 'service_keys_unavailable' ? 'service_keys_unavailable' : 'service_delivery_failed',
        call.failure === 'service_keys_unavailable'
          ? 'The hub could not get your encryption key (jwks_uri), so it made no delivery and kept nothing. Ask the person to start again once your keys are reachable.'
          : `No delivery was made (${call.failure}); each data set's outcome is listed.`,
        undefined,
        { failure: call.failure, datasets: call.datasets },
      );
  }
}
