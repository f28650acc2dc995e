import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The file a CLI package declares as its `bin` (what `pnpm <command>` runs), for starting one of
 * the project's commands as a child process: `spawn(process.execPath, [commandBin('consumer'), …args])`,
 * never through a shell. `pkg` is the package's folder under packages/.
 */
export function commandBin(pkg: string): string {
  const manifest = JSON.parse(readFileSync(join(PACKAGES, pkg, 'package.json'), 'utf8')) as {
    bin?: Record<string, string>;
  };
  const [bin] = Object.values(manifest.bin ?? {});
  if (!bin) throw new Error(`packages/${pkg} declares no bin`);
  return join(PACKAGES, pkg, bin);
}
