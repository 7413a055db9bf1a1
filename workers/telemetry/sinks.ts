import type { InjectedSinks } from '@temporalio/worker';
import { sessionMetrics } from '../../io/telemetry/metrics';
import type { SessionMetricsSinks } from '../../workflows/telemetry';

/**
 * The worker side of the workflows' session-metrics sink (workflows/telemetry.ts). Not called on
 * replay: a session is counted by the worker that runs its tasks the first time, once.
 */
export function sessionMetricsSinks(): InjectedSinks<SessionMetricsSinks> {
  return {
    sessionMetrics: {
      started: {
        fn: (_info, method, profile) => sessionMetrics.started.inc({ method, profile }),
        callDuringReplay: false,
      },
      ended: {
        fn: (_info, method, profile, outcome, figures) => {
          sessionMetrics.ended.inc({ method, profile, outcome });
          if (!figures) return;
          const labels = { method, profile };
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
