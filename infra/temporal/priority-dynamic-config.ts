/*
 * What the Temporal server needs for priority and fairness of task queues (docs/priority.md), as
 * dynamic config. Verified against the pinned server (Temporal Server 1.32.0, common/dynamicconfig):
 *
 * - `matching.useNewMatcher`: the priority-aware task matcher (dispatches lower priority keys
 *   first). On by default since 1.30; set anyway, so an older server has it too.
 * - `matching.enableFairness`: fairness between fairness keys in proportion to their weights; off by
 *   default; implies the new matcher. Servers older than 1.29 do not know the key and ignore it.
 *
 * The dev server (`sprint dev`, the test servers) gets these as `--dynamic-config-value` flags
 * (dev-server.ts); the cluster files carry the same keys (infra/temporal/dynamicconfig.yaml for the script cluster
 * and compose, infra/k8s/temporal/values.yaml), which
 * test/unit/priority-server-config.test.ts keeps in step with this list.
 */
export const priorityDynamicConfig: Readonly<Record<string, boolean>> = {
  'matching.useNewMatcher': true,
  'matching.enableFairness': true,
};
