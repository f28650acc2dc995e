import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCKERFILE = `${ROOT}infra/Dockerfile`;
const LINTER = fileURLToPath(new URL('../node_modules/dockerfilelint/bin/dockerfilelint', import.meta.url));

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The worker image, as far as it can be checked here (no Docker engine): the Dockerfile passes a
 * linter and our own rules, and its entrypoint starts the real commands.
 */
describe('the worker image (infra/Dockerfile)', () => {
  it('passes dockerfilelint', async () => {
    const { code, stdout } = await run(process.execPath, [LINTER, DOCKERFILE]);
    expect(stdout).toContain('Issues: None found');
    expect(code).toBe(0);
  });

  it('builds in one stage and runs in another, from pinned images, as a user that is not root', () => {
    const lines = readFileSync(DOCKERFILE, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    const froms = lines.filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    // An exact Node version: the image does not change under a rebuild.
    for (const from of froms) expect(from).toMatch(/^FROM node:\d+\.\d+\.\d+-[a-z]+-slim( AS \w+)?$/);
    const last = lines.slice(lines.lastIndexOf(froms.at(-1) ?? ''));
    expect(last.filter((line) => line.startsWith('USER ')).at(-1)).toMatch(/^USER (?!root)\w+$/);
    expect(lines.some((line) => line.startsWith('ADD '))).toBe(false);
    expect(lines.join('\n')).toMatch(/pnpm install --prod --frozen-lockfile/);
  });

  it('starts each command by name, and refuses any other with one line', async () => {
    for (const command of ['consumer', 'aggregator', 'producer']) {
      const { code, stdout } = await run('sh', ['infra/entrypoint.sh', command, '--help'], { APP_ROOT: ROOT });
      expect(code, command).toBe(0);
      expect(stdout).toContain(`Usage: pnpm ${command}`);
    }
    const refused = await run('sh', ['infra/entrypoint.sh', 'rm', '-rf', '/'], { APP_ROOT: ROOT });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('error: unknown command "rm"; choose consumer, aggregator or producer\n');
    expect((await run('sh', ['infra/entrypoint.sh'], { APP_ROOT: ROOT })).code).toBe(2);
  });

  it('runs every command from a production install of the repository, as the image does', async () => {
    // The image's build stage: the committed repository, `pnpm install --prod` (no dev tools, kcl's SDK peers
    // from the root's dependencies).
    const dir = mkdtempSync(join(tmpdir(), 'prod-install-'));
    try {
      expect((await run('git', ['clone', '--quiet', ROOT, dir])).code).toBe(0);
      const install = await new Promise<number>((resolve) => {
        execFile(
          'pnpm',
          ['install', '--prod', '--frozen-lockfile', '--ignore-scripts'],
          { cwd: dir, timeout: 120_000 },
          (error) => resolve(error ? Number(error.code ?? 1) : 0),
        );
      });
      expect(install).toBe(0);
      for (const command of ['consumer', 'aggregator', 'producer']) {
        const { code, stdout, stderr } = await run('sh', [`${dir}/infra/entrypoint.sh`, command, '--help'], {
          APP_ROOT: dir,
        });
        expect(code, stderr).toBe(0);
        expect(stdout).toContain(`Usage: pnpm ${command}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
