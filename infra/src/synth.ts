/**
 * `pnpm infra:synth [-c key=value …]`: the CDK app to CloudFormation in infra/cdk.out, offline (no
 * AWS account, no Docker: the image is built at deploy). cdk-nag's AWS Solutions checks run on it;
 * a finding not reviewed in nagSuppressions.ts fails the synth. `pnpm infra:deploy` and
 * `infra:destroy` run this file as the `cdk` CLI's app: then the CLI gives the context and the
 * output folder (CDK_CONTEXT_JSON, CDK_OUTDIR), and this file's lines go to stderr.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidOptionError } from '@stock-trades/core';
import { buildApp } from './app.js';

const OUT = fileURLToPath(new URL('../cdk.out', import.meta.url));

function contextFrom(args: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--') continue;
    const pair = arg === '-c' || arg === '--context' ? args[++index] : undefined;
    const match = pair === undefined ? undefined : /^([A-Za-z]+)=(.*)$/.exec(pair);
    if (!match?.[1])
      throw new InvalidOptionError(`expected -c key=value (e.g. -c shards=8), got "${arg}${pair ? ` ${pair}` : ''}"`);
    context[match[1]] = match[2] ?? '';
  }
  return context;
}

const underCdk = process.env.CDK_OUTDIR !== undefined;
const say = (line: string) => (underCdk ? console.error(line) : console.log(line));
try {
  // A fresh assembly each time: old image assets (a copy of the repository each) do not pile up.
  if (!underCdk) rmSync(OUT, { recursive: true, force: true });
  const { app, settings } = buildApp(underCdk ? {} : { outdir: OUT, context: contextFrom(process.argv.slice(2)) });
  const assembly = app.synth();
  for (const stack of assembly.stacks) say(`${stack.stackName}: ${stack.templateFullPath}`);
  say(
    `Synthesized to ${assembly.directory}: ${settings.shards === 'on-demand' ? 'on-demand' : `${settings.shards} shards`}, ${settings.minWorkers}–${settings.maxWorkers} consumer tasks, ${settings.window} windows.`,
  );
} catch (error) {
  if (error instanceof InvalidOptionError) {
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  } else {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
