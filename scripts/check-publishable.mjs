#!/usr/bin/env node
// Run by `prepublishOnly` of each publishable package (kcl, kpl), in the package's folder: refuses, in one line and
// with exit 1, to publish a manifest without the fields a registry page needs to lead a user back to the project:
// `repository` (with its `directory` in this monorepo), `homepage` and `bugs`. This repository has no public home yet,
// so the fields are not filled in with a made-up address; whoever publishes it sets them first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The names of the fields the manifest lacks, in the order npm shows them. */
export function missingPublishFields(manifest) {
  const missing = [];
  const repository = manifest.repository;
  if (typeof repository !== 'object' || repository === null || !isUrl(repository.url) || !repository.directory) {
    missing.push('repository (url and directory)');
  }
  if (!isUrl(manifest.homepage)) missing.push('homepage');
  const bugs = manifest.bugs;
  if (!isUrl(typeof bugs === 'object' && bugs !== null ? bugs.url : bugs)) missing.push('bugs');
  return missing;
}

function isUrl(value) {
  if (typeof value !== 'string') return false;
  try {
    return ['https:', 'git+https:', 'git+ssh:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const folder = process.cwd();
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  const missing = missingPublishFields(manifest);
  if (missing.length > 0) {
    console.error(`${manifest.name}: set ${missing.join(', ')} in package.json before publishing`);
    process.exit(1);
  }
}
