import { ApplicationFailure, Context } from '@temporalio/activity';
import type { SprintConfig } from '../config/schema';
import { ErrorType } from '../core/errors';
import {
  BadPublishInput,
  publishModel as publish,
  type PublishInput,
  type PublishResult,
} from '../io/model-publish';

/*
 * The publish activity (training worker): reads the Hub token from the worker's own environment
 * (the variable named by hub.tokenEnv), so it never enters workflow history, and runs the model
 * publish of io/model-publish with heartbeats and cancellation. Bad input fails without retries.
 */

export type { ModelCardInfo } from '../core/model-card';
export type { PublishInput, PublishResult } from '../io/model-publish';

export interface PublishDeps {
  hub: SprintConfig['hub'];
  env?: NodeJS.ProcessEnv;
  /** fetch for @huggingface/hub (tests inject one bound to a Hub double). */
  fetch?: typeof fetch;
}

/** The activity context, or undefined when called directly (tests, scripts). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function createPublishActivities(deps: PublishDeps) {
  async function publishModel(input: PublishInput): Promise<PublishResult> {
    const ctx = activityContext();
    const token = (deps.env ?? process.env)[deps.hub.tokenEnv] || undefined;
    try {
      return await publish(
        {
          hub: deps.hub,
          ...(token ? { token } : {}),
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
          ...(ctx ? { onProgress: (e) => ctx.heartbeat(e), abortSignal: ctx.cancellationSignal } : {}),
        },
        input,
      );
    } catch (err) {
      if (err instanceof BadPublishInput)
        throw ApplicationFailure.nonRetryable(err.message, ErrorType.BadPublishInput);
      throw err;
    }
  }
  return { publishModel };
}

export type PublishActivities = ReturnType<typeof createPublishActivities>;
