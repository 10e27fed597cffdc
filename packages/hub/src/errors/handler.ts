// Turns every failure into problem+json: our AppErrors as they are, Fastify's own errors mapped to
// catalogue codes, and anything unexpected to a generic 500 whose details stay in the log. A browser
// asking for a page gets the same answer as a readable page in its language instead, drawn by the
// presenter the server passes in (the portal's), so this layer knows nothing of pages.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from './catalogue.ts';
import { AppError, languageOf, problemOf } from './problem.ts';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
  FST_ERR_BAD_URL: 'not_found',
};

/** Draws refusals as pages for people; answers stay problem+json for everything else. */
export interface PagePresenter {
  wantsPage(request: FastifyRequest): boolean;
  notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply;
  problem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply;
  failure(request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const problem = problemOf(error.code, {
    ...(error.detail ? { detail: error.detail } : {}),
    instance: request.id,
    language: languageOf(request.headers['accept-language']),
    extensions: error.extensions,
  });
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}

/** Which fields failed, never their values: "querystring/start: Invalid input". */
function validationDetail(error: FastifyError): string | undefined {
  const issues = error.validation ?? [];
  if (issues.length === 0) return undefined;
  const where = error.validationContext ?? 'request';
  return issues
    .slice(0, 5)
    .map((i) => `${where}${i.instancePath || ''}: ${String(i.message ?? 'invalid').replace(/"[^"]*"/g, '…')}`)
    .join('; ');
}

/** The client went away mid-request (an aborted upload): nothing to answer, nothing wrong here. */
function clientAborted(error: FastifyError, request: FastifyRequest): boolean {
  return error.code === 'ECONNRESET' || error.code === 'ECONNABORTED' || (error.message === 'aborted' && request.raw.destroyed);
}

export function installErrorHandling(app: FastifyInstance, pages?: PagePresenter): void {
  const wantsPage = (request: FastifyRequest) => pages?.wantsPage(request) ?? false;
  app.setNotFoundHandler((request, reply) =>
    pages && wantsPage(request) ? pages.notFound(request, reply) : sendProblem(request, reply, new AppError('not_found', 'There is nothing at this address.')),
  );
  const answer = (request: FastifyRequest, reply: FastifyReply, error: AppError) =>
    pages && wantsPage(request) ? pages.problem(request, reply, error) : sendProblem(request, reply, error);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error.internal ?? error, code: error.code }, 'request failed');
      return answer(request, reply, error);
    }
    if (clientAborted(error, request)) {
      request.log.debug({ code: error.code }, 'client aborted the request');
      return reply.code(400).send();
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) {
      const detail = mapped === 'not_found' ? 'There is nothing at this address.' : mapped === 'validation_failed' ? validationDetail(error) : undefined;
      return answer(request, reply, new AppError(mapped, detail));
    }
    if (error.statusCode === 429) return answer(request, reply, new AppError('rate_limited'));
    request.log.error({ err: error }, 'unexpected error');
    if (pages && wantsPage(request)) return pages.failure(request, reply);
    return sendProblem(request, reply, new AppError('internal_error', 'The error was logged; please try again later.'));
  });
}
