import { setWorkflowOptions } from '@temporalio/workflow';
import { completionWorkflow } from './completion';
import { probeWorkflow } from './probe';
import { sequentialWorkflow } from './sequential';
import { sessionWorkflow } from './session';
import { sotWorkflow } from './sot';
import { scWorkflow } from './self-consistency';

/*
 * Versioning behaviour per workflow type (see workers/versioning.ts). Interactive, short runs are
 * PINNED: a session finishes on the build that started it, so a rolling upgrade never hands its
 * next round to different code. Everything else keeps the worker default, AUTO_UPGRADE: pipelines,
 * training, curation and evaluation can run for hours and move to the new build at their next
 * task, kept replay-safe by the determinism guard (test/unit/replay-histories.test.ts) and
 * `patched()` for edits that change their history.
 */
const pinned = { versioningBehavior: 'PINNED' } as const;
setWorkflowOptions(pinned, sessionWorkflow);
setWorkflowOptions(pinned, sequentialWorkflow);
setWorkflowOptions(pinned, completionWorkflow);
setWorkflowOptions(pinned, probeWorkflow);
setWorkflowOptions(pinned, sotWorkflow);
setWorkflowOptions(pinned, scWorkflow);
