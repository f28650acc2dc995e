// Appends 100-byte JSON lines to the file named by argv[2] until a write fails; prints what was acknowledged.
import { JsonLinesFile } from '../../src/index.js';

const file = JsonLinesFile.open(process.argv[2] ?? '', '--out', 'w');
let acknowledged = 0;
let failure = '';
for (let id = 1; id <= 1000 && !failure; id++) {
  await file
    .append([JSON.stringify({ id, pad: 'x'.repeat(80) })])
    .then(() => acknowledged++)
    .catch((error: Error) => {
      failure = error.message;
    });
}
await file.close().catch(() => undefined);
process.stdout.write(JSON.stringify({ acknowledged, failure }));
