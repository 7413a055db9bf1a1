import { Option, type Command } from 'commander';
import { executorStrategies } from '../../core/format/executor-strategies';
import { sessionMethodNames } from '../../core/method-result';
import { priorityClassNames } from '../../core/priority/classes';
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
    .addOption(
      new Option('--mode <mode>', 'sequential: one plain completion, the baseline')
        .choices(sessionMethodNames)
        .default('sprint'),
    )
    .option('--profile <p>', 'session profile: released | platform (default from config: released)')
    .addOption(
      new Option('--strategy <s>', 'executor prompts (default from the profile)').choices(executorStrategies),
    )
    .option('--streaming', 'streaming dispatch: start executors as their prompts close')
    .addOption(
      new Option(
        '--priority <class>',
        'priority class of its model calls (default: priority.commands.ask)',
      ).choices(priorityClassNames),
    )
    .option('--id <workflowId>', 'workflow id (default: ask-<time>-<random>)')
    .option('--json', 'print the result object as JSON')
    .action(lazyAction('ask', 'runAsk'));
}
