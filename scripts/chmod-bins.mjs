// tsc does not set the executable bit; npm links the bins, but direct runs need +x.
import { chmodSync, existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const rel of Object.values(pkg.bin)) {
  const p = new URL(`../${rel}`, import.meta.url);
  if (existsSync(p)) chmodSync(p, 0o755);
}
