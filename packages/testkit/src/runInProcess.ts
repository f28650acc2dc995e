import { runProgram } from '@stock-trades/cli-kit';
import type { Command } from 'commander';
import { vi } from 'vitest';

/** Where nothing answers: a command that got past its flags fails on the network (exit 1), never with exit 2. */
const NOWHERE = 'http://127.0.0.1:9';

/**
 * Runs a command's commander program in this process, as `pnpm <command> ...args` would,
 * and collects its exit code and output. Its endpoints point nowhere, so the test sees
 * only what the command decides before it touches a service.
 */
export async function runInProcess(
  build: (signal: AbortSignal, out: NodeJS.WritableStream) => Command,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = { write: (chunk: string) => (stdout += chunk) } as unknown as NodeJS.WritableStream;
  const err = { write: (chunk: string) => (stderr += chunk) } as unknown as NodeJS.WritableStream;
  const program = build(new AbortController().signal, out).configureOutput({
    writeErr: (text) => (stderr += text),
    writeOut: (text) => (stdout += text),
  });
  vi.stubEnv('STOCK_TRADES_KINESIS_ENDPOINT', NOWHERE);
  vi.stubEnv('STOCK_TRADES_DYNAMODB_ENDPOINT', NOWHERE);
  try {
    const code = await runProgram(program, ['node', program.name(), ...args], err);
    return { code, stdout, stderr };
  } finally {
    vi.unstubAllEnvs();
  }
}
