import { z } from 'zod';
import {
  FAIRNESS_WEIGHT_MAX,
  FAIRNESS_WEIGHT_MIN,
  PRIORITY_DEFAULTS as D,
  priorityClassNames,
  type PriorityClassName,
} from '../../core/priority/classes';
import { API_KEY_ID_LENGTH } from '../../core/priority/mapping';

const weight = z.number().min(FAIRNESS_WEIGHT_MIN).max(FAIRNESS_WEIGHT_MAX);
const priorityClass = z.enum(priorityClassNames);
const API_KEY_ID = new RegExp(`^[0-9a-f]{${API_KEY_ID_LENGTH}}$`);

/** The Temporal priority keys of one class (lower goes first) and its runs' fairness weight. */
const classSchema = (d: { primaryKey: number; deferredKey: number; fairnessWeight: number }) =>
  z
    .object({
      /** Planner calls and the executors of the current round. */
      primaryKey: z.number().int().min(1).default(d.primaryKey),
      /** Speculative (streamed before the plan finished) and resampled calls. */
      deferredKey: z.number().int().min(1).default(d.deferredKey),
      fairnessWeight: weight.default(d.fairnessWeight),
    })
    .strict()
    .refine((c) => c.deferredKey >= c.primaryKey, {
      message: 'deferredKey must not be more urgent (smaller) than primaryKey',
      path: ['deferredKey'],
    });

/**
 * Priority and fairness of model calls on a shared pool (docs/priority.md). Each model call gets a
 * Temporal Priority: its class's key (interactive before batch; within a run, primary calls before
 * speculative and resampled ones), and a fairness key (the API key's id, or the run's id) with a
 * weight, so one key's burst gets its share of the pool and no more. `sprint ask --priority` and
 * `sprint eval --priority` override the class of one run (flag > file > default).
 */
export const prioritySchema = z
  .object({
    /** Off: model calls carry no priority (the server's default order, first come first served). */
    enabled: z.boolean().default(true),
    /** The server's number of priority levels (Temporal `matching.priorityLevels`, default 5). */
    levels: z.number().int().min(2).max(100).default(D.levels),
    classes: z
      .object({
        interactive: classSchema(D.classes.interactive).prefault({}),
        batch: classSchema(D.classes.batch).prefault({}),
      })
      .strict()
      .prefault({}),
    /** The class of the runs each command starts. */
    commands: z
      .object({
        serve: priorityClass.default(D.commands.serve),
        ask: priorityClass.default(D.commands.ask),
        eval: priorityClass.default(D.commands.eval),
        curate: priorityClass.default(D.commands.curate),
        pipeline: priorityClass.default(D.commands.pipeline),
      })
      .strict()
      .prefault({}),
    /**
     * Per API key of `sprint serve`, by its id (the first 16 hex digits of the key's SHA-256:
     * `printf %s "$KEY" | sha256sum | cut -c1-16`; never the key itself): its class and weight.
     */
    apiKeys: z
      .record(
        z.string(),
        z.object({ class: priorityClass.optional(), fairnessWeight: weight.optional() }).strict(),
      )
      .default({}),
    /**
     * Pools whose engines are told each call's priority (the request's `priority` field): vLLM
     * started with `--scheduling-policy priority`, SGLang with `--enable-priority-scheduling`. Off
     * by default: an engine without priority scheduling rejects the field.
     */
    engines: z
      .record(
        z.string(),
        z
          .object({
            /**
             * Lower values run first: vLLM's order (default for engine vllm). SGLang runs higher values
             * first unless started with `--schedule-low-priority-values-first` (then set this true).
             */
            lowValuesFirst: z.boolean().optional(),
          })
          .strict(),
      )
      .default({}),
  })
  .strict()
  .superRefine((p, ctx) => {
    // Checked here, not by the record's key schema: its error would quote the key, maybe a real one.
    const notIds = Object.keys(p.apiKeys).filter((id) => !API_KEY_ID.test(id)).length;
    if (notIds)
      ctx.addIssue({
        code: 'custom',
        path: ['apiKeys'],
        message: `${notIds} entr${notIds === 1 ? 'y is' : 'ies are'} not an API key id (${API_KEY_ID_LENGTH} lowercase hex digits of the key's SHA-256): name keys by id, never by the key itself`,
      });
    const { interactive, batch } = p.classes;
    // Interactive work always outranks batch work, whatever the roles of the calls.
    if (interactive.deferredKey >= batch.primaryKey)
      ctx.addIssue({
        code: 'custom',
        path: ['classes', 'interactive', 'deferredKey'],
        message: `interactive keys (${interactive.primaryKey}, ${interactive.deferredKey}) must all be smaller than batch.primaryKey (${batch.primaryKey}): interactive calls go first`,
      });
    for (const cls of priorityClassNames as readonly PriorityClassName[]) {
      const keys = p.classes[cls];
      if (keys.deferredKey > p.levels)
        ctx.addIssue({
          code: 'custom',
          path: ['classes', cls, 'deferredKey'],
          message: `${keys.deferredKey} is above the server's ${p.levels} priority levels (priority.levels)`,
        });
    }
  });

export type PrioritySettings = z.infer<typeof prioritySchema>;
