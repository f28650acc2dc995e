import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandBin } from '@stock-trades/cli-kit';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How `pnpm <command>` runs a package's command: node, the `bin` the package declares, the arguments. */
function commandLine(pkg: string, args: readonly string[]): string[] {
  return [commandBin(pkg), ...args];
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the project's commands to its end, with no shell, and collects what it printed. */
export function runCommand(pkg: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      commandLine(pkg, args),
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface CommandProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** Its JSON log lines so far (lines that are not JSON are skipped). */
  logs(): Array<Record<string, unknown> & { msg: string; time: string }>;
}

/**
 * Starts one of the project's commands as `pnpm <command>` would (node and the package's
 * declared `bin`), with no shell; stdout and stderr go to `logFile`.
 */
export function startCommand(
  pkg: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
): CommandProcess {
  const child = spawn(process.execPath, commandLine(pkg, args), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(logFile);
  child.stdout?.pipe(file, { end: false });
  child.stderr?.pipe(file, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      setTimeout(() => file.end(), 50);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    child,
    logFile,
    exited,
    logs: () =>
      (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '').split('\n').flatMap((line) => {
        try {
          const parsed = JSON.parse(line);
          return typeof parsed === 'object' && parsed && 'msg' in parsed ? [parsed] : [];
        } catch {
          return [];
        }
      }),
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
