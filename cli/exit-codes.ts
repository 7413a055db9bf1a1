/** Exit codes of `sprint`, stable for scripts. */
export const ExitCode = {
  ok: 0,
  /** The work ran and failed (a workflow failed, a check found a problem). */
  failed: 1,
  /** Bad usage or bad config: fix the command line or the file. */
  usage: 2,
  /** Temporal (or another required service) cannot be reached. */
  unavailable: 3,
  /** The run was cancelled. */
  cancelled: 4,
  /** Interrupted with Ctrl-C. */
  interrupted: 130,
} as const;

/** An error that carries the exit code the CLI should end with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
