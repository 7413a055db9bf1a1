import type { InjectedSinks } from '@temporalio/worker';
import { methodNames } from '../../core/method-result';
import { sessionProfiles } from '../../core/session/policies';
import { boundedLabel, sessionOutcomes } from '../../core/telemetry/labels';
import { sessionMetrics } from '../../io/telemetry/metrics';
import type { SessionMetricsSinks } from '../../workflows/telemetry';

/** The labels of a session, each within its closed set whatever a workflow's code sent. */
function sessionLabels(method: string, profile: string) {
  return { method: boundedLabel(method, methodNames), profile: boundedLabel(profile, sessionProfiles) };
}

/**
 * The worker side of the workflows' session-metrics sink (workflows/telemetry.ts). Not called on
 * replay: a session is counted by the worker that runs its tasks the first time, once.
 */
export function sessionMetricsSinks(): InjectedSinks<SessionMetricsSinks> {
  return {
    sessionMetrics: {
      started: {
        fn: (_info, method, profile) => sessionMetrics.started.inc(sessionLabels(method, profile)),
        callDuringReplay: false,
      },
      ended: {
        fn: (_info, method, profile, outcome, figures) => {
          const labels = sessionLabels(method, profile);
          sessionMetrics.ended.inc({ ...labels, outcome: boundedLabel(outcome, sessionOutcomes) });
          if (!figures) return;
          sessionMetrics.wallSeconds.observe(labels, figures.wallMs / 1000);
          sessionMetrics.sequentialTokens.observe(labels, figures.sequentialTokens);
          sessionMetrics.totalTokens.observe(labels, figures.generatedTokens);
          sessionMetrics.rounds.observe(labels, figures.rounds);
          for (const prompts of figures.promptsPerRound)
            sessionMetrics.executorsPerRound.observe(labels, prompts);
        },
        callDuringReplay: false,
      },
    },
  };
}
