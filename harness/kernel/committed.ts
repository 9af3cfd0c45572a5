// The committed livepatch kernels (kernels/<arch>/, written by
// scripts/kernels/commit-livepatch-kernel.sh): the boot image, the config, Module.symvers, the
// kernel's own modules the cases load late, and the cases' modules prebuilt unconverted against
// the build tree, since CI has no build tree to run kbuild against. Every file is checked against
// the manifest's sha256 before use; a prebuilt module whose case sources changed since
// (scripts/kernels/case-digest.sh) is stale and refused.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HarnessError } from '../errors.js';
import { sha256 } from '../provenance.js';
import { readInputFile, readInputText, writeOutput, readModuleFile } from '../../src/io/index.js';

export interface CommittedManifest {
  arch: string;
  release: string;
  sourcePackage: string;
  sourceVersion: string;
  allconfigSha256: string;
  configSha256: string;
  compiler: string;
  buildSeconds: number;
  builtAt: string;
  image: { file: string; sha256: string };
  /** Every committed file (relative to kernels/<arch>) and its sha256. */
  files: Record<string, string>;
  /** Prebuilt modules: base name → digest of the sources, sha256 of the (decompressed) .ko. */
  modules: Record<string, { sources: string; sha256: string; from: string }>;
}

/** The repository root: the nearest directory above this file with the project's package.json. */
export function repoRoot(from = import.meta.dirname): string {
  let d = from;
  for (;;) {
    const p = join(d, 'package.json');
    if (existsSync(p) && /"name":\s*"klp-convert-ts"/.test(readInputText(p))) return d;
    const up = dirname(d);
    if (up === d) throw new HarnessError(`no klp-convert-ts package.json above ${from}`);
    d = up;
  }
}

/** As scripts/kernels/case-digest.sh: sha256 of "sha256  name" lines of Kbuild and *.c/*.h/*.S. */
export function caseDigest(dir: string): string {
  const names = readdirSync(dir)
    .filter((f) => (f === 'Kbuild' || /\.(c|h|S)$/.test(f)) && statSync(join(dir, f)).isFile())
    .sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : a === b ? 0 : 1));
  const lines = names.map((f) => `${sha256(readInputFile(join(dir, f)))}  ${f}\n`).join('');
  return sha256(Buffer.from(lines));
}

export interface CommittedKernel {
  dir: string;
  manifest: CommittedManifest;
  /** The decompressed, checked boot image in the cache. */
  image: string;
  symvers: string;
  config: string;
}

/** Reads kernels/<arch>, checks every file, decompresses what the boot needs into the cache. */
export function openCommitted(dir: string, cache: string): CommittedKernel {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new HarnessError(`no ${manifestPath}`);
  const manifest = JSON.parse(readInputText(manifestPath)) as CommittedManifest;
  for (const [f, want] of Object.entries(manifest.files)) {
    const p = join(dir, f);
    if (!existsSync(p)) throw new HarnessError(`${manifestPath} lists ${f}, which is not there`);
    const got = sha256(readInputFile(p));
    if (got !== want) throw new HarnessError(`${p}: sha256 ${got}, the manifest says ${want}`);
  }
  const out = join(cache, 'committed', `${manifest.arch}-${manifest.release}-${manifest.image.sha256.slice(0, 12)}`);
  mkdirSync(out, { recursive: true });
  const unpack = (rel: string, name: string, want?: string): string => {
    const target = join(out, name);
    if (existsSync(target) && (!want || sha256(readInputFile(target)) === want)) return target;
    const src = join(dir, rel);
    const bytes = rel.endsWith('.xz') ? readModuleFile(src) : readInputFile(src);
    if (want && sha256(bytes) !== want) throw new HarnessError(`${src} decompresses to sha256 ${sha256(bytes)}, the manifest says ${want}`);
    writeOutput(target, bytes);
    return target;
  };
  return {
    dir,
    manifest,
    image: unpack(manifest.image.file, manifest.image.file.replace(/\.xz$/, ''), manifest.image.sha256),
    symvers: unpack('Module.symvers.xz', 'Module.symvers'),
    config: join(dir, 'config'),
  };
}

/** A prebuilt case module, checked against its sources' digest and its own sha256. */
export function prebuiltModule(k: CommittedKernel, module: string, sourceDir: string): { bytes: Uint8Array } | { stale: string } {
  const entry = k.manifest.modules[module];
  if (!entry) return { stale: `${k.dir} has no prebuilt ${module}.ko: commit it with scripts/kernels/commit-livepatch-kernel.sh ${k.manifest.arch}` };
  const digest = caseDigest(sourceDir);
  if (digest !== entry.sources) {
    return { stale: `the prebuilt ${module}.ko in ${k.dir} was built from other sources than ${sourceDir} has now (digest ${digest.slice(0, 12)}…, built from ${entry.sources.slice(0, 12)}…): rebuild with scripts/kernels/commit-livepatch-kernel.sh ${k.manifest.arch}` };
  }
  const bytes = readModuleFile(join(k.dir, 'modules/cases', `${module}.ko.xz`));
  if (sha256(bytes) !== entry.sha256) throw new HarnessError(`${k.dir}/modules/cases/${module}.ko.xz: sha256 ${sha256(bytes)}, the manifest says ${entry.sha256}`);
  return { bytes };
}
