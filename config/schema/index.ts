import { z } from 'zod';
import { temporalSchema } from './temporal';
import { queuesSchema, workersSchema } from './queues';
import { modelsSchema } from './models';
import { artifactsSchema, hubSchema } from './storage';
import { trainingSchema } from './training';
import { curationSchema } from './curation';
import { evaluationSchema } from './evaluation';
import { sessionSchema } from './session';
import { serveSchema } from './serve';
import { prioritySchema } from './priority';
import { telemetrySchema } from './telemetry';

/** The one schema for every setting. Each section has defaults, so `{}` is a valid config. */
export const configSchema = z
  .object({
    temporal: temporalSchema.prefault({}),
    taskQueues: queuesSchema.prefault({}),
    workers: workersSchema.prefault({}),
    models: modelsSchema.prefault({}),
    artifacts: artifactsSchema.prefault({}),
    hub: hubSchema.prefault({}),
    training: trainingSchema.prefault({}),
    curation: curationSchema.prefault({}),
    evaluation: evaluationSchema.prefault({}),
    session: sessionSchema.prefault({}),
    serve: serveSchema.prefault({}),
    priority: prioritySchema.prefault({}),
    telemetry: telemetrySchema.prefault({}),
  })
  .strict();

export type SprintConfig = z.infer<typeof configSchema>;
export type SprintConfigInput = z.input<typeof configSchema>;
export * from './models';
