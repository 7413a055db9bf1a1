import type { Command } from 'commander';
import { CliError, ExitCode } from '../exit-codes';

/** A command whose workflow is not part of this build yet: clear message, usage exit code. */
export function registerSlot(program: Command, name: string, description: string): void {
  program
    .command(name)
    .description(`${description} (not available in this build)`)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new CliError(`\`sprint ${name}\` is not available in this build yet`, ExitCode.usage);
    });
}
