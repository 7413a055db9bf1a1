/*
 * The environment a trainer process gets from its worker: an allow-list, not the worker's whole
 * environment, so the worker's own secrets (API keys, database and cloud credentials, Temporal
 * certificates) never reach a process that runs user-chosen code and flags.
 */

/** Variables passed by name: the process basics, locale and proxies. */
const NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'PYTHONPATH',
  'VIRTUAL_ENV',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
]);

/**
 * Variables passed by prefix: what the trainer's libraries read (Hugging Face, PyTorch, CUDA,
 * NCCL, OpenMP/MKL threads, accelerate, reporters, glibc malloc tuning, locale categories).
 */
const PREFIXES = [
  'LC_',
  'HF_',
  'HUGGINGFACE_',
  'TRANSFORMERS_',
  'TOKENIZERS_',
  'TORCH',
  'PYTORCH_',
  'CUDA_',
  'NVIDIA_',
  'NCCL_',
  'OMP_',
  'MKL_',
  'ACCELERATE_',
  'TENSORBOARD_',
  'WANDB_',
  'MALLOC_',
  'XDG_',
];

/** True when a worker variable of this name may reach the trainer. */
export function passesToTrainer(name: string): boolean {
  return NAMES.has(name) || PREFIXES.some((p) => name.startsWith(p));
}

/** The allowed part of `env`, with `extra` (the Hub token under the name the trainer reads) on top. */
export function trainerEnvironment(
  env: Record<string, string | undefined>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && passesToTrainer(k)) out[k] = v;
  return { ...out, ...extra };
}
