import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CodecRequestError, runCodecRequest, type CodecAction } from '../../io/codec';
import type { ServeContext } from '../context';
import { sendError } from '../errors';
import { WITHOUT_KEY } from '../require-key';

/*
 * The codec endpoint the Temporal Web UI (or `temporal` CLI) decodes encrypted histories through:
 * POST /codec/decode and /codec/encode in Temporal's remote codec protocol (io/codec/remote.ts).
 * Registered only when payload encryption is on. It needs an API key like every route; only the
 * browser's CORS preflight (which never carries credentials) answers without one, and only for
 * the configured origins.
 */
const ACTIONS: readonly CodecAction[] = ['encode', 'decode'];

function allowedOrigin(ctx: ServeContext, request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  return origin !== undefined && ctx.options.codecCorsOrigins.includes(origin) ? origin : undefined;
}

function corsHeaders(reply: FastifyReply, origin: string | undefined): void {
  reply.header('vary', 'Origin');
  if (origin === undefined) return;
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
}

export function register(app: FastifyInstance, ctx: ServeContext): void {
  if (ctx.codecs.length === 0) return;
  for (const action of ACTIONS) {
    const url = `/codec/${action}`;
    app.options(url, WITHOUT_KEY, async (request, reply) => {
      const origin = allowedOrigin(ctx, request);
      if (origin === undefined)
        return sendError(reply, {
          status: 403,
          type: 'forbidden_origin',
          message: 'this origin may not call the codec endpoint (serve.codec.corsOrigins)',
        });
      corsHeaders(reply, origin);
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'authorization, content-type, x-namespace');
      reply.header('access-control-max-age', '600');
      return reply.code(204).send();
    });
    app.post(url, async (request, reply) => {
      corsHeaders(reply, allowedOrigin(ctx, request));
      try {
        return await runCodecRequest(ctx.codecs, action, request.body);
      } catch (err) {
        if (err instanceof CodecRequestError)
          return sendError(reply, { status: 400, type: 'invalid_request_error', message: err.message });
        // A payload that does not open (a dropped key, altered bytes): say which, never the key.
        return sendError(reply, { status: 422, type: 'codec_error', message: (err as Error).message });
      }
    });
  }
}
