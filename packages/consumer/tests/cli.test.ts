import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '@stock-trades/cli-kit';
import { runInProcess } from '@stock-trades/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'consumer-cli-'));

describe('pnpm consumer refuses what cannot work, with one line and exit 2, before any lease is taken', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each([
    [['--failover', '9999999h'], /^error: --failover must be from 100ms to 1h, got "9999999h"\n$/],
    [['--window', '9999999h'], /^error: --window must be from 1s to 1h, got "9999999h"\n$/],
    [['--lease-poll', '0ms'], /^error: --lease-poll must be from 10ms to 1h/],
    [['--max-ahead', '2d'], /^error: --max-ahead must be a duration/],
    [['--pause-for', '0s'], /^error: --pause-for must be from 1s to 1h, got "0s"\n$/],
    [['--worker-id', ''], /^error: --worker-id must be 1-128 printable characters without spaces, got ""\n$/],
    [['--worker-id', 'two words'], /^error: --worker-id must be/],
    [
      ['--out', '/nonexistent/dir/x.jsonl'],
      /^error: --out \/nonexistent\/dir\/x.jsonl cannot be written: its folder \/nonexistent\/dir does not exist\n$/,
    ],
    [['--out', scratch], /^error: --out .* cannot be written: it is a folder\n$/],
  ])('%j', async (args, message) => {
    const { code, stderr } = await runInProcess(buildProgram, args);
    expect(stderr).toMatch(message);
    expect(code).toBe(ExitCode.USAGE);
  });
});
