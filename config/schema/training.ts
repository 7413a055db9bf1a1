import { z } from 'zod';

export const trainingSchema = z
  .object({
    launcher: z.enum(['local', 'docker', 'kubernetes']).default('local'),
    /** Python interpreter for the local launcher; by default the project's .venv. */
    python: z.string().optional(),
  })
  .passthrough();
