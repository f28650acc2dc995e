import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClients, StreamAdmin, Target } from '@stock-trades/aws';
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
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--duration', '40s'], {
      cwd: ROOT,
      env: { ...process.env, [key ?? '']: value },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    const exited = new Promise<number>((resolve) => child.once('exit', (exitCode) => resolve(exitCode ?? 1)));
    // The line it prints for another terminal is true: a client built from it finds the demo's stream.
    const join = await new Promise<string>((resolve, reject) => {
      const look = () => {
        const line = /To join it from another terminal: export (.+)$/m.exec(stdout)?.[1];
        if (line && stdout.includes('StockTradeStream is ACTIVE')) resolve(line);
        else if (child.exitCode !== null) reject(new Error(`the demo printed no join line:\n${stdout}`));
        else setTimeout(look, 100);
      };
      look();
    });
    const joined = createClients(Target.LOCAL, Object.fromEntries(join.split(' ').map((pair) => pair.split('='))));
    try {
      expect(await new StreamAdmin(joined).describe('StockTradeStream')).toMatchObject({ openShardCount: 4 });
    } finally {
      joined.destroy();
    }
    const code = await exited;
    clearTimeout(killer);
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
