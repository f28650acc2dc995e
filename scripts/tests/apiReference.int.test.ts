import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TYPEDOC = join(ROOT, 'node_modules', '.bin', 'typedoc');

interface Reflection {
  readonly name: string;
  readonly kind: number;
  readonly comment?: { readonly blockTags?: ReadonlyArray<{ readonly tag: string }> };
  readonly signatures?: readonly Reflection[];
  readonly extendedTypes?: ReadonlyArray<{ readonly name?: string }>;
  readonly children?: readonly Reflection[];
}

const FUNCTION = 64;
const CLASS = 128;

/**
 * The API reference of each publishable package, as `pnpm docs:api` builds it: TypeDoc over its
 * index, warnings as errors (every export documented, no broken link, nothing referenced but not
 * exported), and an `@example` on every public function and class (errors share KclError's).
 */
describe.each(['kcl', 'kpl'])('the API reference of @stock-trades/%s', (pkg) => {
  const out = mkdtempSync(join(tmpdir(), `api-${pkg}-`));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds without a warning, and shows an example of every public function and class', async () => {
    const options = join(ROOT, 'packages', pkg, 'typedoc.json');
    await run(TYPEDOC, ['--options', options, '--out', join(out, 'html'), '--json', join(out, 'api.json')], {
      cwd: ROOT,
      timeout: 120_000,
    });
    const api = JSON.parse(readFileSync(join(out, 'api.json'), 'utf8')) as Reflection;
    const entries = (api.children ?? []).filter(
      (child) =>
        child.kind === FUNCTION ||
        (child.kind === CLASS && !(child.extendedTypes ?? []).some((type) => /Error$/.test(type.name ?? ''))),
    );
    expect(entries.length).toBeGreaterThan(pkg === 'kcl' ? 10 : 2);
    const withoutExample = entries
      .filter((entry) => {
        const comment = entry.kind === FUNCTION ? entry.signatures?.[0]?.comment : entry.comment;
        return !(comment?.blockTags ?? []).some((tag) => tag.tag === '@example');
      })
      .map((entry) => entry.name);
    expect(withoutExample).toEqual([]);
  }, 120_000);
});
