import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { commandBin } from '@stock-trades/cli-kit';
import type { ProcessView } from './types.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXIT_WITH_PARENT = fileURLToPath(new URL('../../cli-kit/src/exitWithParent.cjs', import.meta.url));

type Role = ProcessView['role'];
const PACKAGE: Readonly<Record<Role, string>> = { producer: 'producer', worker: 'consumer', aggregator: 'aggregator' };

export interface FleetSettings {
  /** Environment of every process (target and endpoints). */
  readonly env: NodeJS.ProcessEnv;
  readonly workerArgs: (workerId: string) => string[];
  readonly producerArgs: (rate: number) => string[];
  readonly aggregatorArgs: string[];
  /** How long a worker holds its processing when paused (its --pause-for); default 60 s. */
  readonly pauseForSeconds?: number;
  /** Each line a process prints, with its name (the demo shows them with a prefix). */
  readonly onLine?: (name: string, line: string, from: 'stdout' | 'stderr') => void;
}

export interface Running {
  readonly name: string;
  readonly role: Role;
  readonly child: ChildProcess;
  /** Resolves with the exit code, or the signal's name, once the process is gone. */
  readonly exited: Promise<number | string>;
  detail: string;
}

/**
 * The pipeline's processes — producer, consumer workers, aggregator — started as a user
 * would start them (node and the `bin` each package declares, never a shell), each in
 * its own process group, each ending itself if the process that started it is gone.
 * `pnpm demo` and the dashboard's instructor actions drive it.
 */
export class Fleet {
  private readonly running: Running[] = [];
  private workers = 0;
  private rate = 0;

  constructor(private readonly settings: FleetSettings) {}

  startWorker(): Running {
    this.workers++;
    const name = `worker-${this.workers}`;
    return this.start(name, 'worker', [
      ...this.settings.workerArgs(name),
      ...['--pause-for', `${this.pauseForSeconds}s`],
    ]);
  }

  get pauseForSeconds(): number {
    return this.settings.pauseForSeconds ?? 60;
  }

  /** The lag lesson: SIGUSR2 makes a worker hold its processing for its --pause-for (none on Windows). */
  pause(name: string): boolean {
    const process = this.find(name);
    if (process?.role !== 'worker' || globalThis.process.platform === 'win32') return false;
    process.child.kill('SIGUSR2');
    return true;
  }

  startAggregator(): Running {
    return this.start('aggregator', 'aggregator', this.settings.aggregatorArgs);
  }

  startProducer(rate: number): Running {
    this.rate = rate;
    const producer = this.start('producer', 'producer', this.settings.producerArgs(rate));
    producer.detail = `${rate} trades/s`;
    return producer;
  }

  /** Replaces the producer with one at `rate` (the old one stops cleanly: what it sent is delivered). */
  async setRate(rate: number): Promise<Running> {
    const current = this.find('producer');
    if (current) await this.stop(current);
    return this.startProducer(rate);
  }

  get producerRate(): number {
    return this.rate;
  }

  /** The running process of that name (or the first of that role). */
  find(nameOrRole: string): Running | undefined {
    return this.running.find(
      (process) => (process.name === nameOrRole || process.role === nameOrRole) && isRunning(process),
    );
  }

  /** SIGKILL: no checkpoint, no release; its leases expire after the failover time. */
  kill(name: string): boolean {
    const process = this.find(name);
    if (!process) return false;
    process.child.kill('SIGKILL');
    return true;
  }

  /** Stops a process as Ctrl-C would (SIGKILL after `graceMs`); resolves with how it ended. */
  async stop(process: Running, graceMs = 15_000): Promise<number | string> {
    if (isRunning(process)) {
      process.child.kill('SIGINT');
      const timer = setTimeout(() => process.child.kill('SIGKILL'), graceMs);
      await process.exited;
      clearTimeout(timer);
    }
    return process.exited;
  }

  get processes(): ProcessView[] {
    return this.running.map((process) => ({
      name: process.name,
      role: process.role,
      running: isRunning(process),
      detail: process.detail,
    }));
  }

  get all(): readonly Running[] {
    return this.running;
  }

  private start(name: string, role: Role, args: string[]): Running {
    const child = spawn(process.execPath, ['--require', EXIT_WITH_PARENT, commandBin(PACKAGE[role]), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...this.settings.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a terminal's Ctrl-C reaches the owner, which stops everything in order
    });
    const onLine = this.settings.onLine;
    if (onLine && child.stdout)
      createInterface({ input: child.stdout }).on('line', (line) => onLine(name, line, 'stdout'));
    if (onLine && child.stderr)
      createInterface({ input: child.stderr }).on('line', (line) => onLine(name, line, 'stderr'));
    if (!onLine) {
      child.stdout?.resume();
      child.stderr?.resume();
    }
    const exited = new Promise<number | string>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
    const running: Running = { name, role, child, exited, detail: '' };
    void exited.then((outcome) => {
      running.detail = `exited (${outcome})`;
    });
    this.running.push(running);
    return running;
  }
}

function isRunning(process: Running): boolean {
  return process.child.exitCode === null && process.child.signalCode === null;
}
