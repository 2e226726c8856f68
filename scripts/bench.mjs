// `npm run bench [name…]`: runs every benchmark under bench/ (or only those named), one after another
// so that they never compete for the two cores, each in its own process with --expose-gc.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const available = readdirSync(join(root, 'bench'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'bench', entry.name, 'run.ts')))
  .map((entry) => entry.name)
  .sort();
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of requested.length > 0 ? requested : available) {
  console.log(`\n=== bench/${name}`);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join('bench', name, 'run.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    console.error(`bench/${name} failed with ${run.signal ?? `exit code ${run.status}`}`);
    failed += 1;
  }
}
process.exit(failed === 0 ? 0 : 1);
