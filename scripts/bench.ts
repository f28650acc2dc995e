/**
 * `pnpm bench [name…]`: benchmarks against the embedded stack, started here on free
 * ports. Each writes bench/results/<name>.json and prints a summary. Ratios are what
 * count: both sides are measured in the same run, on the same (shared, noisy) machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConsumer } from './bench/consumerBench.js';
import { benchDuplicates } from './bench/duplicatesBench.js';
import { benchFanOut } from './bench/fanOutBench.js';
import { benchLimits } from './bench/limitsBench.js';
import { benchPeer } from './bench/peerBench.js';
import { benchPipeline } from './bench/pipelineBench.js';
import { benchProducer } from './bench/producerBench.js';

const RESULTS = fileURLToPath(new URL('../bench/results/', import.meta.url));

const benches: Record<string, () => Promise<object>> = {
  producer: benchProducer,
  consumer: benchConsumer,
  limits: benchLimits,
  peer: benchPeer,
  pipeline: benchPipeline,
  duplicates: benchDuplicates,
  fanout: benchFanOut,
};

async function main(names: string[]): Promise<number> {
  const unknown = names.filter((name) => !(name in benches));
  if (unknown.length > 0) {
    console.error(`error: unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(benches).join(', ')}`);
    return 2;
  }
  mkdirSync(RESULTS, { recursive: true });
  for (const name of names.length > 0 ? names : Object.keys(benches)) {
    const bench = benches[name];
    if (!bench) continue;
    const result = await bench();
    const file = join(RESULTS, `${name}.json`);
    const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' };
    writeFileSync(
      file,
      `${JSON.stringify({ bench: name, at: new Date().toISOString(), machine, ...result }, null, 2)}\n`,
    );
    console.log(`  written to ${file}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
