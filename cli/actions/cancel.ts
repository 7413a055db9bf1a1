import type { Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { clientFor, readConfig, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';

/** `sprint cancel`: cancels a running workflow. */
export async function runCancel(workflowId: string, opts: { wait?: boolean }, cmd: Command): Promise<void> {
  const config = readConfig(cmd.optsWithGlobals<GlobalOptions>());
  const client = await clientFor(config);
  try {
    const handle = client.workflow.getHandle(workflowId);
    let status: string;
    try {
      status = (await handle.describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw new CliError(`no workflow "${workflowId}"`, ExitCode.usage);
      throw err;
    }
    if (status !== 'RUNNING')
      throw new CliError(`workflow ${workflowId} is not running (${status})`, ExitCode.usage);
    await handle.cancel();
    if (opts.wait) {
      await handle.result().catch(() => undefined);
      console.log(`${workflowId}: ${(await handle.describe()).status.name}`);
    } else console.log(`${workflowId}: cancellation requested`);
  } finally {
    await client.connection.close();
  }
}
