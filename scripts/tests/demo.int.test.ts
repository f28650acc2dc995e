import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Pids of live processes whose environment carries `marker` (every process the demo started inherits it). */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('pnpm demo', () => {
  it('runs to the end with --duration, prints a complete all-shard result, exits 0 and leaves no process', async () => {
    const marker = `STOCK_TRADES_DEMO_RUN=${randomUUID()}`;
    const [key, value] = marker.split('=');
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/demo.ts', '--duration', '40s'],
        { cwd: ROOT, env: { ...process.env, [key ?? '']: value }, timeout: 150_000, maxBuffer: 64 * 1024 * 1024 },
        (error, out) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out }),
      );
    });
    // On a failure, the demo's last lines say which process did not finish cleanly.
    expect(code, stdout.slice(-3000)).toBe(0);
    expect(stdout).toMatch(/\[aggregator\]\s+\*{6} All shards stats for \d\d:\d\d:\d\d–\d\d:\d\d:\d\d \*{6}/);
    expect(stdout).toMatch(/\[aggregator\]\s+Shards reporting: 4 /);
    expect(stdout).toMatch(/\[worker-\d\]\s+\*{6} Shard shardId-\d+ stats for last 10 seconds/);
    expect(stdout).toContain('Done: 5 deleted, 0 already gone.');
    expect(stdout).toContain('Embedded stack stopped. Nothing is left running.');
    expect(processesWith(marker)).toEqual([]);
  });
});
