import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** Each workspace package's `@stock-trades/*` dependencies (the ones it runs with, not dev). */
function workspaceGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const name of readdirSync(PACKAGES)) {
    const manifest = join(PACKAGES, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const { dependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: object };
    graph.set(
      name,
      Object.keys(dependencies)
        .filter((dependency) => dependency.startsWith('@stock-trades/'))
        .map((dependency) => dependency.slice('@stock-trades/'.length)),
    );
  }
  return graph;
}

describe('the package graph points down', () => {
  const graph = workspaceGraph();

  it('the KPL format depends on nothing of ours and loads no AWS SDK', () => {
    expect(graph.get('kpl')).toEqual([]);
    expect([...loads(join(PACKAGES, 'kpl', 'src', 'index.ts')).npm].sort()).toEqual(['node:crypto', 'protobufjs']);
  });

  it('kcl depends on the KPL format only', () => {
    expect(graph.get('kcl')).toEqual(['kpl']);
  });

  it.each(['core', 'aws', 'writer', 'cli-kit', 'loopback-http'])('%s does not depend on kcl', (name) => {
    expect(graph.get(name)).toBeDefined();
    expect(graph.get(name)).not.toContain('kcl');
  });

  it('is the one docs/development.md draws', () => {
    const doc = readFileSync(join(PACKAGES, '..', 'docs', 'development.md'), 'utf8');
    const drawn = new Map<string, string[]>();
    for (const [, name, uses] of doc.matchAll(/^(?:CLIs|middle|\s)\s*([a-z-]+)\s+→ ([a-z-, ]+)$/gm)) {
      drawn.set(name ?? '', (uses ?? '').split(', ').sort());
    }
    const [, bottom = ''] = /^bottom\s+([a-z-, ]+?)\s+\(nothing of ours\)$/m.exec(doc) ?? [];
    for (const name of bottom.split(', ')) drawn.set(name, []);
    const [, testkit = ''] = /^testkit \(tests and benchmarks only\) → ([a-z-, ]+)$/m.exec(doc) ?? [];
    drawn.set('testkit', testkit.split(', ').sort());
    const actual = new Map([...graph].map(([name, uses]) => [name, [...uses].sort()]));
    expect(Object.fromEntries(drawn)).toEqual(Object.fromEntries(actual));
  });

  it('has no cycle', () => {
    const cycles: string[] = [];
    const walk = (name: string, path: string[]) => {
      if (path.includes(name)) return void cycles.push([...path, name].join(' → '));
      for (const next of graph.get(name) ?? []) walk(next, [...path, name]);
    };
    for (const name of graph.keys()) walk(name, []);
    expect(cycles).toEqual([]);
  });
});

describe('every command is a bin of its package', () => {
  const commands = readdirSync(PACKAGES).filter((name) => existsSync(join(PACKAGES, name, 'src', 'bin.ts')));
  const root = JSON.parse(readFileSync(join(PACKAGES, '..', 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };

  it('finds the seven commands', () => {
    expect(commands.sort()).toEqual([
      'aggregator',
      'consumer',
      'create-stream',
      'dashboard',
      'local-stack',
      'producer',
      'teardown',
    ]);
  });

  it.each(commands)('%s declares one bin, loading tsx, which it declares, and pnpm runs that bin', (name) => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, name, 'package.json'), 'utf8')) as {
      bin?: Record<string, string>;
      dependencies?: Record<string, string>;
    };
    const [[binName, binFile] = []] = Object.entries(manifest.bin ?? {});
    expect(binName).toMatch(/^stock-trades-/);
    const text = readFileSync(join(PACKAGES, name, binFile ?? 'missing'), 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).toContain("from 'tsx/esm/api'");
    expect(text).toContain("import('./src/bin.ts')");
    expect(Object.keys(manifest.dependencies ?? {})).toContain('tsx');
    expect(Object.values(root.scripts)).toContain(binName);
  });
});
