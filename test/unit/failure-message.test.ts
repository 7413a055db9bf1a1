import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { failureMessage } from '../../core/failure-message';

const engine404 = () =>
  ApplicationFailure.create({
    message: "engine at http://127.0.0.1:8000/v1 answered 404: model 'sprint' is not served here",
    type: 'ModelCallError',
    nonRetryable: true,
  });

const activityFailed = (cause: Error) =>
  new ActivityFailure(
    'Activity task failed',
    'sprintPlan',
    '1',
    RetryState.NON_RETRYABLE_FAILURE,
    'worker-1',
    cause,
  );

describe('failureMessage', () => {
  it('reads through the wrappers a session failure arrives in, to the engine and the activity', () => {
    // what `sprint ask` and `sprint serve` catch: the workflow failed because an activity did
    const err = new WorkflowFailedError(
      'Workflow execution failed',
      activityFailed(engine404()),
      RetryState.RETRY_POLICY_NOT_SET,
    );
    expect(failureMessage(err)).toBe(
      "sprintPlan: engine at http://127.0.0.1:8000/v1 answered 404: model 'sprint' is not served here",
    );
  });

  it('names the innermost activity when a child workflow failed on one', () => {
    const child = new ChildWorkflowFailure(
      'default',
      { workflowId: 'w', runId: 'r' },
      'sessionWorkflow',
      RetryState.RETRY_POLICY_NOT_SET,
      activityFailed(engine404()),
    );
    expect(failureMessage(child)).toMatch(/^sprintPlan: engine at .* answered 404/);
  });

  it('returns a plain error as it is, and a thrown non-error as text', () => {
    expect(failureMessage(new Error('no such file: traces.jsonl'))).toBe('no such file: traces.jsonl');
    expect(failureMessage('boom')).toBe('boom');
    expect(failureMessage(undefined)).toBe('undefined');
  });

  it('stops on a cause chain that loops', () => {
    const a = new Error('outer') as Error & { cause?: unknown };
    const b = new Error('inner') as Error & { cause?: unknown };
    a.cause = b;
    b.cause = a;
    expect(failureMessage(a)).toBe('inner');
  });

  it('does not name the activity twice when the message already starts with it', () => {
    expect(failureMessage(activityFailed(new Error('sprintPlan: bad reply')))).toBe('sprintPlan: bad reply');
  });
});
