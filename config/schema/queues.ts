import { z } from 'zod';

const concurrency = z
  .object({
    maxConcurrentWorkflowTaskExecutions: z.number().int().positive().default(40),
    maxConcurrentActivityTaskExecutions: z.number().int().positive().default(100),
  })
  .strict();

/** Task queues of the CPU-side roles; model calls get one queue per pool and replica (see models). */
export const queuesSchema = z
  .object({
    control: z.string().min(1).default('sprint-control'),
    curation: z.string().min(1).default('sprint-curation'),
    training: z.string().min(1).default('sprint-training'),
  })
  .strict();

export const workersSchema = z
  .object({
    control: concurrency.prefault({}),
    curation: concurrency.prefault({ maxConcurrentActivityTaskExecutions: 16 }),
    training: concurrency.prefault({ maxConcurrentActivityTaskExecutions: 4 }),
    /** Seconds a worker waits for in-flight activities on shutdown before they are abandoned to retry elsewhere. */
    shutdownGraceSeconds: z.number().positive().default(10),
  })
  .strict();
