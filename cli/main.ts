import { Command, CommanderError } from 'commander';
import { registerCurate } from './commands/curate';
import { registerAsk } from './commands/ask';
import { registerCancel } from './commands/cancel';
import { registerDemo } from './commands/demo';
import { registerDev } from './commands/dev';
import { registerEval } from './commands/eval';
import { registerPipeline } from './commands/pipeline';
import { registerServe } from './commands/serve';
import { registerShow } from './commands/show';
import { registerStatus } from './commands/status';
import { registerTrain } from './commands/train';
import { registerWorker } from './commands/worker';
import { CliError, ExitCode } from './exit-codes';
import { packageVersion } from './version';

// commander: the most used Node CLI parser; typed options, nested commands and generated --help.
export function buildProgram(): Command {
  const program = new Command('sprint')
    .description('SPRINT parallel reasoning on Temporal: curate, train, publish, serve and evaluate')
    .option(
      '-c, --config <file>',
      'config file (YAML or JSON); default $SPRINT_CONFIG or ./sprint.config.yaml',
    )
    .version(packageVersion(), '-V, --version', 'print the version of sprint')
    .showHelpAfterError()
    .exitOverride();
  registerDev(program);
  registerStatus(program);
  registerWorker(program);
  registerAsk(program);
  registerShow(program);
  registerCancel(program);
  registerCurate(program);
  registerTrain(program);
  registerPipeline(program);
  registerDemo(program);
  registerEval(program);
  registerServe(program);
  return program;
}

/** Runs the CLI; bin/sprint.js calls it and exits with the code it returns. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; parse errors were already printed.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (err instanceof CliError) {
      console.error(`sprint: ${err.message}`);
      return err.exitCode;
    }
    console.error(`sprint: ${(err as Error).stack ?? String(err)}`);
    return ExitCode.failed;
  }
}
