import { InvalidOptionError } from '@stock-trades/core';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { ExitCode, reportError, runProgram } from '../src/index.js';

class UndeliveredTradesError extends Error {
  readonly code = 'UNDELIVERED_TRADES';
  override readonly name = 'UndeliveredTradesError';
}

function programThatThrows(error: unknown): Command {
  return new Command('demo')
    .option('--count <n>')
    .configureOutput({ writeErr: () => {}, writeOut: () => {} })
    .action(() => {
      throw error;
    });
}

function collect() {
  const chunks: string[] = [];
  const stream = { write: (chunk: string) => chunks.push(chunk) } as unknown as NodeJS.WritableStream;
  return { stream, text: () => chunks.join('') };
}

describe('runProgram', () => {
  it('turns a failure of ours into exit 1 and one line, with no stack', async () => {
    const stderr = collect();
    const code = await runProgram(
      programThatThrows(new UndeliveredTradesError('3 trades were not delivered: gave up after 10 attempts')),
      ['node', 'demo'],
      stderr.stream,
    );
    expect(code).toBe(ExitCode.FAILURE);
    expect(stderr.text()).toBe('error: 3 trades were not delivered: gave up after 10 attempts\n');
  });

  it('turns a bad flag value into exit 2', async () => {
    const stderr = collect();
    const code = await runProgram(
      programThatThrows(new InvalidOptionError('--count must be a whole number, got "x"')),
      ['node', 'demo'],
      stderr.stream,
    );
    expect(code).toBe(ExitCode.USAGE);
    expect(stderr.text()).toBe('error: --count must be a whole number, got "x"\n');
  });

  it('turns an unknown flag into exit 2, and --help into exit 0', async () => {
    const stderr = collect();
    expect(await runProgram(programThatThrows(undefined), ['node', 'demo', '--bogus'], stderr.stream)).toBe(
      ExitCode.USAGE,
    );
    expect(await runProgram(programThatThrows(undefined), ['node', 'demo', '--help'], stderr.stream)).toBe(ExitCode.OK);
  });

  it('calls anything else unexpected, and shows its stack only when debugging', () => {
    const error = new TypeError('cannot read properties of undefined');
    expect(reportError(error, {}).line).toBe(
      'unexpected error: cannot read properties of undefined (set STOCK_TRADES_DEBUG=1 for details)',
    );
    expect(reportError(error, { STOCK_TRADES_DEBUG: '1' }).line).toContain('at ');
  });
});
