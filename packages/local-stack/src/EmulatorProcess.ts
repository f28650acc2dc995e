import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EmulatorStartError } from './errors.js';

const SUPERVISOR = fileURLToPath(new URL('./supervisor.cjs', import.meta.url));
const LOG_TAIL_LINES = 40;

export interface EmulatorSpec {
  /** Human name used in messages: "Kinesis (kinesis-local)". */
  service: string;
  /** The emulator's Node entry script. */
  script: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  /** http://127.0.0.1:PORT: answers any HTTP response once the emulator is up. */
  endpoint: string;
  /** Pass the emulator's own output through (for `pnpm stack --verbose`). */
  onOutput?: (line: string) => void;
}

/** One emulator as a child Node process, supervised so it never outlives its parent. */
export class EmulatorProcess {
  private readonly tail: string[] = [];
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<void>;

  private constructor(
    readonly spec: EmulatorSpec,
    private readonly child: ChildProcess,
  ) {
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.record(chunk));
    }
  }

  static spawn(spec: EmulatorSpec): EmulatorProcess {
    // No shell: arguments go straight to the Node binary.
    const child = spawn(process.execPath, ['--require', SUPERVISOR, spec.script, ...spec.args], {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own: a Ctrl-C in the terminal reaches the command that owns the
      // stack, which stops the emulators when it is done with them (the supervisor ends them if
      // that command dies).
      detached: true,
    });
    return new EmulatorProcess(spec, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exited !== undefined;
  }

  /** Resolves when the process exits, for whatever reason. */
  whenExited(): Promise<void> {
    return this.exitPromise;
  }

  /** Polls the endpoint until it answers HTTP, the process dies, or the deadline passes. */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new EmulatorStartError(this.spec.service, `exited early (${this.describeExit()})${this.tailText()}`);
      }
      if (await answersHttp(this.spec.endpoint)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.stop();
    throw new EmulatorStartError(
      this.spec.service,
      `no answer at ${this.spec.endpoint} within ${timeoutMs} ms${this.tailText()}`,
    );
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  describeExit(): string {
    if (!this.exited) return 'running';
    return this.exited.signal ? `signal ${this.exited.signal}` : `exit code ${this.exited.code}`;
  }

  private record(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line.trim() === '') continue;
      this.spec.onOutput?.(line);
      this.tail.push(line);
      if (this.tail.length > LOG_TAIL_LINES) this.tail.shift();
    }
  }

  private tailText(): string {
    return this.tail.length === 0 ? '' : `\n--- last output ---\n${this.tail.slice(-10).join('\n')}`;
  }
}

async function answersHttp(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, { method: 'GET', signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}
