/**
 * Turns every failure into `{ error: { code, message } }` with the right status. Known errors
 * keep their code and message; validation and parser errors get stable codes; anything else
 * becomes E_INTERNAL, is logged with its cause, and never leaks internals to the caller.
 */

import { type ErrorCode, VigilError } from '@vigil/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function describeValidation(context: string | undefined, issues: ValidationIssue[]): string {
  const where = context === 'querystring' ? 'query' : (context ?? 'request');
  const first = issues[0];
  if (!first) return `the ${where} is not valid`;
  const path = first.instancePath ? `'${first.instancePath.slice(1).replaceAll('/', '.')}'` : `the ${where}`;
  if (first.keyword === 'additionalProperties') {
    const names = (first.params?.additionalProperties as string[] | undefined) ?? [];
    return `${path} has unknown field(s): ${names.join(', ')}`;
  }
  if (first.keyword === 'required') {
    const names = (first.params?.requiredProperties as string[] | undefined) ?? [];
    return `${path} is missing required field(s): ${names.join(', ')}`;
  }
  return `${path} ${first.message ?? 'is not valid'}`;
}

const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'E_BODY_TOO_LARGE', message: 'the request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'E_UNSUPPORTED_MEDIA_TYPE',
    message: 'send the body as application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'E_BAD_REQUEST', message: 'the JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'E_BAD_REQUEST', message: 'the body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'E_BAD_REQUEST',
    message: 'the Content-Length does not match the body',
  },
  FST_ERR_BAD_URL: { code: 'E_BAD_REQUEST', message: 'the URL is not valid' },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'E_BAD_REQUEST', message: 'the request is not valid' },
};

/** Map any thrown value to a VigilError for the wire. */
export function toVigilError(error: unknown): VigilError {
  if (error instanceof VigilError) return error;
  const e = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (e?.validation)
    return new VigilError('E_VALIDATION', describeValidation(e.validationContext, e.validation));
  const known = e?.code ? FASTIFY_CODES[e.code] : undefined;
  if (known) return new VigilError(known.code, known.message);
  if (e instanceof SyntaxError || e?.statusCode === 400)
    return new VigilError('E_BAD_REQUEST', 'the request is not valid: check the JSON body and parameters');
  if (e?.statusCode === 413) return new VigilError('E_BODY_TOO_LARGE', 'the request body is too large');
  if (e?.statusCode === 415)
    return new VigilError('E_UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  return new VigilError('E_INTERNAL', 'something went wrong on the server; the error has been logged', {
    cause: error,
  });
}

/** Install the error and not-found handlers on an app. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const ve = toVigilError(error);
    if (ve.code === 'E_INTERNAL') request.log.error({ err: error }, 'unhandled error');
    else if (ve.status >= 500) request.log.error({ err: error, code: ve.code }, ve.message);
    else request.log.info({ code: ve.code }, ve.message);
    void reply.code(ve.status).headers(ve.headers).send(ve.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const ve = new VigilError('E_ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    void reply.code(404).send(ve.toBody());
  });
}
