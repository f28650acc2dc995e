import { ExitCode, shutdownSignal } from '@stock-trades/cli-kit';
import { main } from './cli.js';

const signal = shutdownSignal(() => process.exit(ExitCode.INTERRUPTED));
process.exit(await main(process.argv, signal));
