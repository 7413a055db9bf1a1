/**
 * TEST DOUBLE for the determinism guard: a curationWorkflow whose first step differs from the real
 * one (it sleeps before anything else), as a careless edit would. Replaying a recorded curation
 * history against it must fail and name the workflow.
 */
import { sleep } from '@temporalio/workflow';

export async function curationWorkflow(): Promise<void> {
  await sleep(1);
}
