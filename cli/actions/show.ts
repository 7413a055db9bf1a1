import type { Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ArtifactStore, type ArtifactRef } from '../../io/artifacts';
import type { SessionProgress, SessionTranscript } from '../../core/session-types';
import { progressQuery } from '../../workflows/session';
import { clientFor, readConfig, uiLink, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { formatProgress } from '../session-view';
import { sessionProgress } from '../../core/session/transcript';

/** A stored transcript shown like a live progress answer (no phase running, no checkpoints). */
function fromTranscript(t: SessionTranscript): SessionProgress {
  return sessionProgress(t, t.rounds.length, 'idle', []);
}

/** `sprint show`: a session round by round (live query, else its stored transcript). */
export async function runShow(workflowId: string, opts: { json?: boolean }, cmd: Command): Promise<void> {
  const config = readConfig(cmd.optsWithGlobals<GlobalOptions>());
  const client = await clientFor(config);
  try {
    const handle = client.workflow.getHandle(workflowId);
    let desc;
    try {
      desc = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw new CliError(`no workflow "${workflowId}"`, ExitCode.usage);
      throw err;
    }
    let progress: SessionProgress | undefined;
    try {
      // Answered by a control worker (for a closed session too, by replay).
      progress = await handle.query(progressQuery);
    } catch (err) {
      // No worker to answer: a finished session's transcript is in the artifact store.
      if (desc.status.name === 'COMPLETED') {
        const result = (await handle.result()) as { transcript?: ArtifactRef };
        if (result.transcript) {
          progress = fromTranscript(
            await new ArtifactStore(config.artifacts.root).getJson<SessionTranscript>(result.transcript),
          );
        }
      }
      if (!progress) {
        const key = await new ArtifactStore(config.artifacts.root).getKey(
          `sessions/${workflowId}/transcript`,
        );
        if (key)
          progress = fromTranscript(
            await new ArtifactStore(config.artifacts.root).getJson<SessionTranscript>(key),
          );
      }
      if (!progress)
        throw new CliError(
          `cannot read session ${workflowId}: ${(err as Error).message}`,
          ExitCode.unavailable,
        );
    }
    if (opts.json) console.log(JSON.stringify(progress, null, 2));
    else {
      console.log(formatProgress(progress));
      console.log(`workflow status ${desc.status.name}; ${uiLink(config, workflowId)}`);
    }
  } finally {
    await client.connection.close();
  }
}
