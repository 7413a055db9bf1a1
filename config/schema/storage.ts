import { z } from 'zod';

export const artifactsSchema = z
  .object({
    /** Root of the content-addressed store (a local directory, shared by the workers of one host). */
    root: z.string().default('.sprint/artifacts'),
  })
  .strict();

export const hubSchema = z
  .object({
    endpoint: z.url().default('https://huggingface.co'),
    /** Environment variable holding the Hub token; without a token, publishing goes to `localMirror`. */
    tokenEnv: z.string().default('HF_TOKEN'),
    private: z.boolean().default(true),
    /** Folder that mirrors the Hub repo layout when no token is set. */
    localMirror: z.string().default('.sprint/hub'),
  })
  .strict();
