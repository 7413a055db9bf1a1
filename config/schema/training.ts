import { z } from 'zod';
import { HUB_REPO_ID } from '../../core/hub-repo-id';
import { launcherKinds } from '../../core/training';
import { trainingProfiles } from './training-profiles';

/** The base model of the SPRINT paper's fine-tuning. */
export const PAPER_BASE_MODEL = 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B';

export { trainingProfiles, type TrainingProfile } from './training-profiles';

const positiveInt = z.number().int().positive();

/** Keys a value of which would be a secret: those come from the trainer's environment only. */
const secretKey = /token|secret|password|api_?key|credential/i;

/** A TRL SFTConfig / transformers TrainingArguments field name, as `trl sft` spells it. */
const trainingArgName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a TRL/transformers field name in snake_case');

/**
 * Trainer settings (infra/sft/train.py). Every field is optional: an unset one keeps the value of
 * the profile's recipe (infra/sft/recipes/<profile>.yaml), so e.g. the `released` profile's lr 1e-6
 * is not overwritten by a default here. Precedence: profile recipe < `recipe` < these fields <
 * `trainingArgs` < extra flags.
 */
export const hyperparametersSchema = z
  .object({
    epochs: z.number().positive().optional(),
    /** Stop after this many optimizer steps (overrides epochs). */
    maxSteps: positiveInt.optional(),
    learningRate: z.number().positive().optional(),
    weightDecay: z.number().nonnegative().optional(),
    /** Linear warm-up as a fraction of the steps (paper: 0.05). */
    warmupRatio: z.number().min(0).lt(1).optional(),
    scheduler: z.string().min(1).optional(),
    /** Tokens per example (prompt + completion); profile default (paper/released 7168, CPU 512). */
    maxLength: positiveInt.optional(),
    perDeviceBatchSize: positiveInt.optional(),
    gradientAccumulationSteps: positiveInt.optional(),
    /** A transformers optimizer name (adamw_torch_fused, adafactor, adamw_8bit, ...). */
    optim: z.string().min(1).optional(),
    bf16: z.boolean().optional(),
    gradientCheckpointing: z.boolean().optional(),
    /** Attention kernel; flash_attention_2/3 need their package in the trainer's environment. */
    attnImplementation: z.enum(['sdpa', 'eager', 'flash_attention_2', 'flash_attention_3']).optional(),
    /** Pack samples into max-length rows (no attention across samples) instead of padding-free batches. */
    packing: z.boolean().optional(),
    /** Liger kernels (needs liger-kernel in the trainer's environment). */
    useLigerKernel: z.boolean().optional(),
    /** Where metrics go: tensorboard (the recipes' default, logs in the run folder), wandb, trackio (keys from the trainer's environment). */
    reportTo: z
      .array(z.enum(['tensorboard', 'wandb', 'trackio', 'mlflow', 'none']))
      .min(1)
      .optional(),
    /** Push every saved checkpoint to this Hub repo ("org/name"); the token is HF_TOKEN in the trainer's environment. */
    pushCheckpointsTo: z.string().regex(HUB_REPO_ID, 'a Hub repo id like org/name').optional(),
    saveSteps: positiveInt.optional(),
    evalSteps: positiveInt.optional(),
    saveTotalLimit: positiveInt.optional(),
    seed: z.number().int().optional(),
    /** How the prompt string is rendered before the completion ({prompt} is replaced); no chat template. */
    promptTemplate: z.string().includes('{prompt}', { message: 'must contain {prompt}' }).optional(),
    /** A YAML recipe (TRL's `trl sft --config` format) applied over the profile's, as the trainer host sees the path. */
    recipe: z.string().min(1).optional(),
    /** Any other TRL / transformers training argument, passed through as `--name value`. */
    trainingArgs: z
      .record(trainingArgName, z.union([z.string(), z.number(), z.boolean()]))
      .refine((r) => !Object.keys(r).some((k) => secretKey.test(k)), {
        message:
          'secrets never go in the config: the trainer reads tokens from its own environment (HF_TOKEN, WANDB_API_KEY)',
      })
      .optional(),
  })
  .strict();
export type Hyperparameters = z.infer<typeof hyperparametersSchema>;

const volumeSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS-1123 label (lowercase letters, digits, dashes)'),
    mountPath: z.string().startsWith('/', 'an absolute path in the container'),
    readOnly: z.boolean().default(false),
    /** Exactly one source. */
    persistentVolumeClaim: z.string().min(1).optional(),
    hostPath: z.string().startsWith('/').optional(),
    emptyDir: z.boolean().optional(),
  })
  .strict()
  .refine(
    (v) =>
      [v.persistentVolumeClaim, v.hostPath, v.emptyDir].filter((x) => x !== undefined && x !== false)
        .length === 1,
    {
      message: 'give exactly one of persistentVolumeClaim, hostPath, emptyDir',
    },
  );

/** A local path prefix and where the same files are seen inside the job's container. */
const pathMapSchema = z
  .object({ local: z.string().startsWith('/'), remote: z.string().startsWith('/') })
  .strict();

const tolerationSchema = z
  .object({
    key: z.string().optional(),
    operator: z.enum(['Exists', 'Equal']).optional(),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .strict();

const resourcesSchema = z
  .object({
    /** GPUs per job (one node). */
    gpus: z.number().int().nonnegative().default(8),
    gpuResource: z.string().default('nvidia.com/gpu'),
    cpu: z.string().default('32'),
    memory: z.string().default('400Gi'),
    /** Shared memory for the data loader and NCCL (a memory-backed emptyDir at /dev/shm). */
    shmSize: z.string().default('64Gi'),
  })
  .strict();

export const dockerLauncherSchema = z
  .object({
    /** Docker Engine API: a unix socket (default) or a TCP URL such as http://gpu-host:2375 (`host` wins). */
    socketPath: z.string().default('/var/run/docker.sock'),
    host: z.url().optional(),
    apiVersion: z.string().default('v1.43'),
    image: z.string().min(1).default('sprint-sft:latest'),
    /** GPUs: 'all' or a count (DeviceRequests with the gpu capability); 0 for none. */
    gpus: z.union([z.literal('all'), z.number().int().nonnegative()]).default('all'),
    shmSize: z
      .string()
      .regex(/^\d+[kmg]?$/i, 'like 16g')
      .default('16g'),
    /** Extra bind mounts "host:container[:ro]" (e.g. a Hugging Face cache). */
    binds: z.array(z.string().min(3)).default([]),
    /** Where the dataset and the run folder are mounted in the container. */
    dataMount: z.string().startsWith('/').default('/sprint/data'),
    runMount: z.string().startsWith('/').default('/sprint/run'),
    network: z.string().optional(),
    /** Extra environment for the container (no secrets: HF token comes from the worker's env, see hub.tokenEnv). */
    env: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const kubernetesLauncherSchema = z
  .object({
    /** Kubeconfig file; default: in-cluster service account, then ~/.kube/config. */
    kubeconfig: z.string().optional(),
    context: z.string().optional(),
    namespace: z.string().min(1).default('default'),
    image: z.string().min(1).default('sprint-sft:latest'),
    imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
    serviceAccountName: z.string().optional(),
    resources: resourcesSchema.prefault({}),
    nodeSelector: z.record(z.string(), z.string()).default({}),
    tolerations: z
      .array(tolerationSchema)
      .default([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]),
    /** Volumes for the data and the checkpoints (PVCs in a cluster). */
    volumes: z.array(volumeSchema).default([]),
    /** Maps local dataset paths to their paths inside the pod (on a volume above). */
    pathMap: z.array(pathMapSchema).default([]),
    /** Folder on a volume where each run's checkpoints and final model go (`<checkpointRoot>/<runId>`). */
    checkpointRoot: z.string().startsWith('/').default('/checkpoints'),
    /** The Hub token for gated/private base models: a Secret key, exposed as HF_TOKEN (optional secret). */
    hubTokenSecret: z
      .object({ name: z.string().min(1), key: z.string().min(1) })
      .strict()
      .default({ name: 'hf-token', key: 'token' }),
    labels: z.record(z.string(), z.string()).default({}),
    /** Seconds a finished Job is kept before Kubernetes deletes it. */
    ttlSecondsAfterFinished: z.number().int().nonnegative().default(86_400),
    activeDeadlineSeconds: z.number().int().positive().optional(),
    priorityClassName: z.string().optional(),
    env: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const trainingSchema = z
  .object({
    launcher: z.enum(launcherKinds).default('local'),
    /** Python interpreter for the local launcher; by default the project's .venv (scripts/setup-python.sh). */
    python: z.string().optional(),
    /** Folder of run folders (checkpoints, logs, final model) for the local and docker launchers. */
    runsDir: z.string().default('.sprint/runs'),
    baseModel: z.string().min(1).default(PAPER_BASE_MODEL),
    profile: z.enum(trainingProfiles).default('auto'),
    hyperparameters: hyperparametersSchema.prefault({}),
    /** Relaunches of a failed job (each resumes from its last checkpoint) before the run fails. */
    maxRestarts: z.number().int().nonnegative().default(2),
    /** How often the watcher polls the job and heartbeats. */
    pollIntervalMs: z.number().int().positive().default(2000),
    /** The watcher's heartbeat timeout: a dead worker's job is reattached by a retry after this long. */
    heartbeatTimeoutMs: z.number().int().positive().default(60_000),
    /** Minimum interval between progress signals to the workflow (search attributes, progress query). */
    progressIntervalMs: z.number().int().nonnegative().default(10_000),
    docker: dockerLauncherSchema.prefault({}),
    kubernetes: kubernetesLauncherSchema.prefault({}),
  })
  .strict();
export type TrainingConfig = z.infer<typeof trainingSchema>;
export type DockerLauncherConfig = z.infer<typeof dockerLauncherSchema>;
export type KubernetesLauncherConfig = z.infer<typeof kubernetesLauncherSchema>;
