import { randomBytes } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { errorBody } from '../core/serve/responses';

/** An answer that is not a success: its status, OpenAI error type and message, and extra headers. */
export interface HttpError {
  status: number;
  type: string;
  message: string;
  /** The request field at fault. */
  param?: string;
  headers?: Record<string, string>;
}

/** The one place a client is told where the details of its failure went. */
export function seeLog(requestId: string): string {
  return `the server log has the details under request id ${requestId}`;
}

/** A random request id (not a counter, so ids say nothing of the traffic), sent as x-request-id. */
export function newRequestId(): string {
  return `req_${randomBytes(12).toString('hex')}`;
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** Every answer names its request id, which also heads the log lines about it. */
export function tagRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
}

export function sendError(reply: FastifyReply, error: HttpError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
  return reply.code(error.status).send(errorBody(error.message, error.type, error.param));
}

/**
 * Fastify's own errors (body parsing, size) and anything a handler threw, in the OpenAI shape; an
 * internal error's text goes to the log only.
 */
export function installErrorHandler(
  app: FastifyInstance,
  options: { bodyLimitBytes: number; log: (line: string) => void },
): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, {
        status: 413,
        type: 'invalid_request_error',
        message: `body: larger than the limit of ${options.bodyLimitBytes} bytes`,
      });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(reply, {
        status: 415,
        type: 'invalid_request_error',
        message: 'body: send application/json',
      });
    }
    if (err.statusCode !== undefined && err.statusCode < 500) {
      return sendError(reply, {
        status: err.statusCode,
        type: 'invalid_request_error',
        message: `body: ${err.message}`,
      });
    }
    // The text of an internal error (paths, addresses, a failure chain) stays in the log.
    options.log(`${request.id} internal error: ${err.stack ?? err.message}`);
    return sendError(reply, {
      status: 500,
      type: 'server_error',
      message: `the server had an error with this request; ${seeLog(request.id)}`,
    });
  });
}
