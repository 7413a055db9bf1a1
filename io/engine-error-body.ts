/*
 * Error bodies of OpenAI-compatible engines, made readable by the `openai` client. The client reads
 * an error's text from `{"error": {"message": ...}}` only; vLLM before its OpenAI-shaped errors and
 * SGLang answer `{"object": "error", "message": ..., "type": ..., "code": ...}` instead, which the
 * client reports as "404 status code (no body)", hiding the reason (a model name the engine does
 * not serve, a prompt over the context length). This fetch wrapper moves such a body under `error`.
 */

interface TopLevelError {
  message: string;
  type?: unknown;
  code?: unknown;
  param?: unknown;
}

function topLevelError(text: string): TopLevelError | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  if ('error' in b || typeof b.message !== 'string') return undefined;
  return { message: b.message, type: b.type, code: b.code, param: b.param };
}

/** `fetch` whose failed responses carry their engine's message where the `openai` client looks. */
export function withEngineErrorBodies(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (response.ok) return response;
    const text = await response.text();
    const error = topLevelError(text);
    const headers = new Headers(response.headers);
    // the body is rewritten (or re-sent as read): its old length and encoding no longer apply
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(error ? JSON.stringify({ error }) : text, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}

/**
 * An error reply's text as the `openai` client words it (`404 The model ... does not exist.`), for
 * the calls that skip the client (io/model-client.ts): the message under `error`, else the engine's
 * top-level one, else the body when it is not JSON.
 */
export function engineErrorText(status: number, text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const underError =
    json !== null && typeof json === 'object' && !Array.isArray(json)
      ? (json as Record<string, unknown>).error
      : undefined;
  const error = underError ?? topLevelError(text);
  let message: string | undefined;
  if (error !== undefined && error !== null) {
    const m = (error as { message?: unknown }).message;
    message = m ? (typeof m === 'string' ? m : JSON.stringify(m)) : JSON.stringify(error);
  } else if (json === undefined && text) message = text;
  return message ? `${status} ${message}` : `${status} status code (no body)`;
}
