import type { Command } from 'commander';
import { ExitCode as Exit, type ExitCode } from './exitCodes.js';
import { reportError } from './reportError.js';

/**
 * Parses argv with the program (its actions do the work) and turns the outcome into an
 * exit code, printing one line for a failure. Never exits the process itself.
 */
export async function runProgram(
  program: Command,
  argv: readonly string[],
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<ExitCode> {
  program.exitOverride();
  try {
    await program.parseAsync([...argv]);
    return Exit.OK;
  } catch (error) {
    const report = reportError(error);
    if (report.line !== '') stderr.write(`${report.line}\n`);
    return report.exitCode;
  }
}
