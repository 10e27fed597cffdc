// Turns every failure into problem+json: our AppErrors as they are, Fastify's own errors mapped to
// catalogue codes, and anything unexpected to a generic 500 whose details stay in the log. A browser
// asking for a page gets the same answer as a readable page in its language instead.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from './catalogue.ts';
import { errorPage, notFoundPage, problemPage } from '../web/error-pages.ts';
import { wantsHtml } from '../web/context.ts';
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

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const problem = problemOf(error.code, {
    ...(error.detail ? { detail: error.detail } : {}),
    instance: request.id,
    language: languageOf(request.headers['accept-language']),
    extensions: error.extensions,
  });
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    wantsHtml(request) ? notFoundPage(request, reply) : sendProblem(request, reply, new AppError('not_found', 'There is nothing at this address.')),
  );
  const answer = (request: FastifyRequest, reply: FastifyReply, error: AppError) =>
    wantsHtml(request) ? problemPage(request, reply, error) : sendProblem(request, reply, error);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error.internal ?? error, code: error.code }, 'request failed');
      return answer(request, reply, error);
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) return answer(request, reply, new AppError(mapped, mapped === 'not_found' ? 'There is nothing at this address.' : undefined));
    if (error.statusCode === 429) return answer(request, reply, new AppError('rate_limited'));
    request.log.error({ err: error }, 'unexpected error');
    if (wantsHtml(request)) return errorPage(request, reply);
    return sendProblem(request, reply, new AppError('internal_error', 'The error was logged; please try again later.'));
  });
}
