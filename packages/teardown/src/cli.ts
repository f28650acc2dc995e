import { createInterface } from 'node:readline/promises';
import { StreamAdmin, TableAdmin } from '@stock-trades/aws';
import { clientsFor, describeTarget, runProgram, targetOption } from '@stock-trades/cli-kit';
import { InvalidOptionError, PROJECT_RESOURCES, ResourceKind } from '@stock-trades/core';
import { Command } from 'commander';
import { embeddedPutPayloadUnits, runTeardown } from './runTeardown.js';

interface RawOptions {
  yes: boolean;
  target?: string;
}

export function buildProgram(
  out: NodeJS.WritableStream = process.stdout,
  input: NodeJS.ReadStream = process.stdin,
): Command {
  return new Command('pnpm teardown')
    .description('Clean-up: delete every stream and table the project created (and nothing else), after asking')
    .option('-y, --yes', 'do not ask; needed when there is no terminal to ask on', false)
    .addOption(targetOption())
    .action(async (raw: RawOptions) => {
      const clients = clientsFor(raw.target);
      const say = (line: string) => out.write(`${line}\n`);
      try {
        say(`Target: ${describeTarget(clients)}`);
        await runTeardown(PROJECT_RESOURCES, {
          admins: { [ResourceKind.STREAM]: new StreamAdmin(clients), [ResourceKind.TABLE]: new TableAdmin(clients) },
          confirm: async (question) => {
            if (raw.yes) return true;
            if (!input.isTTY) {
              throw new InvalidOptionError(
                'no terminal to ask for confirmation on: run `pnpm teardown --yes` to delete without asking',
              );
            }
            const prompt = createInterface({ input, output: out });
            try {
              return /^y(es)?$/i.test((await prompt.question(question)).trim());
            } finally {
              prompt.close();
            }
          },
          say,
          // The embedded stack counts the PUT payload units it took; on AWS they are on the bill.
          putPayloadUnits:
            clients.target === 'local' ? () => embeddedPutPayloadUnits(clients.kinesisEndpoint) : undefined,
        });
      } finally {
        clients.destroy();
      }
    });
}

export function main(argv: readonly string[]): Promise<number> {
  return runProgram(buildProgram(), argv);
}
