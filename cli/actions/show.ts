import type { Command } from 'commander';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { ArtifactStore, type ArtifactRef } from '../../io/artifacts';
import type { SessionProgress, SessionTranscript } from '../../core/session-types';
import { readRound } from '../../io/session-texts';
import { progressQuery } from '../../workflows/session';
import { clientFor, readConfig, uiLink, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { formatProgress } from '../session-view';
import { sessionProgress } from '../../core/session/transcript';

/** A stored transcript shown like a live progress answer (no phase running, no checkpoints). */
function fromTranscript(t: SessionTranscript): SessionProgress {
  return sessionProgress(t, t.rounds.length, 'idle', [], 0, Infinity);
}

/** The live progress with every round: the query answers within a size budget, so ask until all came. */
async function liveProgress(handle: WorkflowHandle): Promise<SessionProgress> {
  const first = await handle.query(progressQuery, 0);
  const rounds = [...first.rounds];
  let last = first;
  while (rounds.length < last.roundCount) {
    last = await handle.query(progressQuery, rounds.length);
    if (!last.rounds.length) break;
    rounds.push(...last.rounds);
  }
  return { ...last, rounds, roundsFrom: 0 };
}

/** The progress with its stored texts read back (for --json, which shows every text). */
async function withTexts(store: ArtifactStore, p: SessionProgress): Promise<SessionProgress> {
  const rounds: SessionProgress['rounds'] = [];
  for (const r of p.rounds) rounds.push(await readRound(store, r));
  return { ...p, rounds };
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
      progress = await liveProgress(handle);
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
    if (opts.json)
      console.log(
        JSON.stringify(await withTexts(new ArtifactStore(config.artifacts.root), progress), null, 2),
      );
    else {
      console.log(formatProgress(progress));
      console.log(`workflow status ${desc.status.name}; ${uiLink(config, workflowId)}`);
    }
  } finally {
    await client.connection.close();
  }
}
