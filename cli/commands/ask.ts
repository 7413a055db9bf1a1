import type { Command } from 'commander';
import { lazyAction } from '../lazy';

export function registerAsk(program: Command): void {
  program
    .command('ask')
    .description('Run one SPRINT inference session and print its rounds live')
    .argument('<question>', 'the question')
    .option(
      '--planner <url>',
      'OpenAI-compatible engine for the planner (ad-hoc pool; default: config role planner)',
    )
    .option(
      '--executors <urls...>',
      'engines for executors, one replica each (default: the planner engine or config)',
    )
    .option('--model <name>', 'model name at the ad-hoc engines (default: the first one they list)')
    .option('--mode <mode>', 'sprint | sequential (one plain completion, the baseline)', 'sprint')
    .option('--profile <p>', 'session profile: released | platform (default from config: released)')
    .option('--strategy <s>', 'executor prompts: shared-prefix | reorder (default from the profile)')
    .option('--streaming', 'streaming dispatch: start executors as their prompts close')
    .option('--id <workflowId>', 'workflow id (default: ask-<time>-<random>)')
    .option('--json', 'print the result object as JSON')
    .action(lazyAction('ask', 'runAsk'));
}
