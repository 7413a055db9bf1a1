import type { Command } from 'commander';
import { API_KEYS_ENV } from '../../serve/api-keys-env';
import { defaultServeOptions } from '../../serve/context';
import { lazyAction } from '../lazy';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('OpenAI-compatible endpoint: every request is one durable session workflow')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (vLLM and SGLang take 8000)', '8080')
    .option('--api-keys-file <file>', `bearer keys, one a line (also $${API_KEYS_ENV}, comma-separated)`)
    .option('--insecure-no-auth', 'accept requests without an API key (local use only)')
    .option(
      '--max-concurrent <n>',
      'sessions followed at once; more get 429',
      String(defaultServeOptions.maxConcurrent),
    )
    .option(
      '--retry-after <s>',
      'Retry-After seconds sent with 429',
      String(defaultServeOptions.retryAfterSeconds),
    )
    .option(
      '--on-disconnect <policy>',
      'cancel | continue: the workflow of a client that went away',
      'cancel',
    )
    .option('--body-limit <bytes>', 'largest request body', String(defaultServeOptions.bodyLimitBytes))
    .option('--workers', 'also run all workers (control, llm, ...) in this process')
    .action(lazyAction('serve', 'runServe'));
}
