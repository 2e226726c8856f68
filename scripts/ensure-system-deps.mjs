// The browser test drives Debian's chromium; a fresh machine has Node, npm, git and apt only.
// Installs what is missing (as root, the way CI runs) and says exactly what to do otherwise.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const packages = [{ binary: '/usr/bin/chromium', apt: 'chromium' }];
const missing = packages.filter((p) => !existsSync(p.binary));
if (missing.length > 0) {
  const names = missing.map((p) => p.apt);
  if (process.getuid?.() !== 0) {
    console.error(`missing system packages: ${names.join(', ')}; install them with: sudo apt-get install -y ${names.join(' ')}`);
    process.exit(1);
  }
  console.log(`installing ${names.join(', ')} from Debian's packages`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
