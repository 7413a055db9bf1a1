import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { failureMessage } from '../../core/failure-message';
import type { HttpError } from '../errors';

/** Why a run ended without a result, as an HTTP error. */
export function runFailure(err: unknown, workflowId: string): HttpError {
  if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) {
    return { status: 409, type: 'cancelled', message: `session ${workflowId} was cancelled` };
  }
  return {
    status: 502,
    type: 'session_failed',
    message: `session ${workflowId} failed: ${failureMessage(err)}`,
  };
}
