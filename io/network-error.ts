/**
 * A network error's message with its reason. Node's fetch throws "fetch failed" and the `openai`
 * client "Connection error.", and both keep the reason (`getaddrinfo ENOTFOUND huggingface.co`,
 * `connect ECONNREFUSED 127.0.0.1:8000`) in the `cause` chain, which a plain `.message` drops.
 * Read by shape, not `instanceof`: undici's errors come from another realm under some runners.
 */
interface ErrorLike {
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

const isObject = (x: unknown): x is ErrorLike => x !== null && typeof x === 'object';

export function networkErrorMessage(err: unknown): string {
  const message = isObject(err) && typeof err.message === 'string' ? err.message : String(err);
  let reason: string | undefined;
  const seen = new Set<unknown>();
  for (
    let next = isObject(err) ? err.cause : undefined;
    isObject(next) && !seen.has(next);
    next = next.cause
  ) {
    seen.add(next);
    if (typeof next.message === 'string' && next.message) reason = next.message;
    else if (typeof next.code === 'string') reason = next.code;
  }
  return reason && !message.includes(reason) ? `${message} (${reason})` : message;
}
