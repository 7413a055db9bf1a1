import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { failureMessage } from '../../core/failure-message';
import { seeLog, type HttpError } from '../errors';

/**
 * Why a run ended without a result, as an HTTP error. The failure chain (an engine's address and
 * message, a stack) goes to the log under the request id; the client gets the workflow id and that
 * request id.
 */
export function runFailure(
  err: unknown,
  workflowId: string,
  requestId: string,
  log: (line: string) => void,
): HttpError {
  if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) {
    return { status: 409, type: 'cancelled', message: `session ${workflowId} was cancelled` };
  }
  log(`${requestId} ${workflowId} failed: ${failureMessage(err)}`);
  return {
    status: 502,
    type: 'session_failed',
    message: `session ${workflowId} failed; ${seeLog(requestId)}`,
  };
}
