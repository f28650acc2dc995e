import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/** Where an `@stock-trades/<name>[/<subpath>]` import leads, by that package's `exports`. */
function workspaceFile(specifier: string): string | undefined {
  const [, name, subpath] = /^@stock-trades\/([^/]+)(\/.+)?$/.exec(specifier) ?? [];
  if (!name) return undefined;
  const root = join(PACKAGES, name);
  const exports = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports as Record<string, string>;
  const target = exports[subpath ? `.${subpath}` : '.'];
  return target ? join(root, target) : undefined;
}

/** Every module a file loads when it runs (type-only imports load nothing), and the npm packages among them. */
function loads(entry: string): { files: Set<string>; npm: Set<string> } {
  const files = new Set<string>();
  const npm = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, keyword, specifier] of text.matchAll(/^(import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)) {
      if (!keyword || !specifier) continue;
      if (specifier.startsWith('.')) {
        const path = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
        if (existsSync(path)) visit(path);
      } else if (specifier.startsWith('@stock-trades/')) {
        const path = workspaceFile(specifier);
        if (path) visit(path);
      } else
        npm.add(
          specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? ''),
        );
    }
  };
  visit(entry);
  return { files, npm };
}

describe('what each command loads when it starts', () => {
  it.each(['consumer', 'aggregator', 'dashboard', 'teardown', 'create-stream', 'local-stack'])(
    'pnpm %s does not load faker: only what generates trades does',
    (name) => {
      const { files, npm } = loads(join(PACKAGES, name, 'src', 'bin.ts'));
      expect(files.size).toBeGreaterThan(5);
      expect([...npm]).not.toContain('@faker-js/faker');
    },
  );

  it('pnpm producer does (the walk finds it where it is)', () => {
    expect([...loads(join(PACKAGES, 'producer', 'src', 'bin.ts')).npm]).toContain('@faker-js/faker');
  });
});
