#!/usr/bin/env node
// `pnpm consumer`: this package's command, its TypeScript loaded through tsx (a dependency of this package), no build step.
import { register } from 'tsx/esm/api';

register();
await import('./src/bin.ts');
