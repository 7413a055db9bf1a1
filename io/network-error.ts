/**
 * A network error's message with its reason. Node's fetch throws "fetch failed" and the `openai`
 * client "Connection error.", and both keep the reason (`getaddrinfo ENOTFOUND huggingface.co`,
 * `connect ECONNREFUSED 127.0.0.1:8000`) in the `cause` chain, which a plain `.message` drops.
 * Read by shape, not `instanceof`: undici's errors come from another realm under some runners.
 */
import { causeChain, messageOf } from '../core/failure-message';

interface ErrorLike {
  message?: unknown;
  code?: unknown;
}

const isObject = (x: unknown): x is ErrorLike => x !== null && typeof x === 'object';

export function networkErrorMessage(err: unknown): string {
  const message = messageOf(err);
  let reason: string | undefined;
  for (const cause of causeChain(err).slice(1)) {
    if (!isObject(cause)) break;
    if (typeof cause.message === 'string' && cause.message) reason = cause.message;
    else if (typeof cause.code === 'string') reason = cause.code;
  }
  return reason && !message.includes(reason) ? `${message} (${reason})` : message;
}
