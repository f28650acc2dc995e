import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = `${ROOT}infra/cdk.out`;

function synth(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'infra/src/synth.ts', ...args],
      // No AWS account: no credentials, no region.
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('pnpm infra:synth', () => {
  it('writes both stacks’ templates to infra/cdk.out offline, with the shards asked for', async () => {
    const { code, stdout, stderr } = await synth(['-c', 'shards=2', '-c', 'maxWorkers=2']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Synthesized to');
    expect(stdout).toContain('2 shards, 1–2 consumer tasks');
    const template = JSON.parse(readFileSync(`${OUT}/StockTradesData.template.json`, 'utf8'));
    const streams = Object.values(template.Resources as Record<string, { Type: string; Properties: never }>).filter(
      (resource) => resource.Type === 'AWS::Kinesis::Stream',
    );
    expect(streams.map((stream) => (stream.Properties as { ShardCount: number }).ShardCount).sort()).toEqual([1, 2]);
    expect(existsSync(`${OUT}/StockTradesWorkers.template.json`)).toBe(true);
  });

  it('refuses a bad parameter with one line and exit 2', async () => {
    const { code, stdout, stderr } = await synth(['-c', 'shards=lots']);
    expect(code).toBe(2);
    expect(stderr).toBe('error: -c shards must be a whole number from 1 to 500, got "lots"\n');
    expect(stdout).toBe('');
  });
});
