import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHECK = join(ROOT, 'scripts', 'check-publishable.mjs');
const PUBLISHABLE = ['packages/kcl', 'packages/kpl'];
const scratch = mkdtempSync(join(tmpdir(), 'publishable-'));

/** Runs the check in a folder holding the given manifest: its exit code and what it printed on stderr. */
async function check(manifest: object): Promise<{ code: number; stderr: string }> {
  writeFileSync(join(scratch, 'package.json'), JSON.stringify(manifest));
  try {
    const { stderr } = await promisify(execFile)(process.execPath, [CHECK], { cwd: scratch });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

const complete = {
  name: '@stock-trades/kcl',
  repository: { type: 'git', url: 'git+https://example.org/stock-trades.git', directory: 'packages/kcl' },
  homepage: 'https://example.org/stock-trades/tree/main/packages/kcl#readme',
  bugs: { url: 'https://example.org/stock-trades/issues' },
};

/**
 * A package published without `repository`, `homepage` and `bugs` leaves its users no way back to the project. This
 * repository has no public address yet, so the manifests do not carry made-up ones: publishing refuses until they are
 * set (prepublishOnly), in one line.
 */
describe('publishing kcl and kpl', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each(PUBLISHABLE)('%s runs the check before it is published', (folder) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.prepublishOnly).toBe('node ../../scripts/check-publishable.mjs');
  });

  it('passes a manifest that leads back to the project', async () => {
    expect(await check(complete)).toEqual({ code: 0, stderr: '' });
    expect(await check({ ...complete, bugs: 'https://example.org/stock-trades/issues' })).toEqual({
      code: 0,
      stderr: '',
    });
  });

  it('refuses one without them, naming each in one line', async () => {
    const { code, stderr } = await check({ name: '@stock-trades/kcl' });
    expect(code).toBe(1);
    expect(stderr).toBe(
      '@stock-trades/kcl: set repository (url and directory), homepage, bugs in package.json before publishing\n',
    );
  });

  it.each([
    ['a repository without its folder in the monorepo', { repository: { url: complete.repository.url } }, 'repository'],
    [
      'a repository that is not an address',
      { repository: { ...complete.repository, url: 'stock-trades' } },
      'repository',
    ],
    ['a homepage that is not an address', { homepage: 'the README' }, 'homepage'],
    ['bugs over plain HTTP', { bugs: { url: 'http://example.org/issues' } }, 'bugs'],
  ])('refuses %s', async (_, change, field) => {
    const { code, stderr } = await check({ ...complete, ...change });
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^@stock-trades/kcl: set ${field}[^,]* in package.json before publishing\\n$`));
  });

  it('refuses the manifests as they are in this repository, which has no public address yet', async () => {
    for (const folder of PUBLISHABLE) {
      const { code, stderr } = await check(JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')));
      expect(code).toBe(1);
      expect(stderr).toContain('set repository (url and directory), homepage, bugs');
    }
  });
});
