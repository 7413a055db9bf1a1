import { Context } from '@temporalio/activity';

/** Control-side helpers of the pipeline workflow. */
export function createPipelineActivities() {
  /**
   * The result of a workflow that already completed under this id (a stage finished by an earlier
   * run of the same pipeline), or null when there is none: the pipeline then runs the stage.
   */
  async function findCompletedWorkflow(workflowId: string): Promise<{ result: unknown } | null> {
    const handle = Context.current().client.workflow.getHandle(workflowId);
    try {
      const d = await handle.describe();
      if (d.status.name !== 'COMPLETED') return null;
      return { result: await handle.result() };
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError') return null;
      throw err;
    }
  }
  return { findCompletedWorkflow };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
