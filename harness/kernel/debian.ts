// Debian's own kernels of other architectures, fetched and never installed: a private APT
// configuration (its own lists, cache and sources, APT::Architectures amd64 arm64 ppc64el s390x),
// `apt-get update`, `apt-get download`, `dpkg-deb -x`, into a cache directory outside the repo.
// The headers of a foreign kernel build modules with the amd64 linux-kbuild of exactly the same
// version extracted beside them; their Makefile's absolute `include /usr/src/…-common/Makefile`
// is pointed at the extracted tree.
import { execa } from 'execa';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../errors.js';
import { readInputText, writeOutput } from '../../src/io/index.js';
import type { ArchSpec } from './arch.js';

/** KLP_KERNEL_CACHE, else ~/.cache/klp-harness/kernels (scripts/kernels/*.sh use the same). */
export function kernelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KLP_KERNEL_CACHE) return env.KLP_KERNEL_CACHE;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'klp-harness', 'kernels');
}

export const APT_ARCHES = ['amd64', 'arm64', 'ppc64el', 's390x'] as const;
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export function sourcesList(env: NodeJS.ProcessEnv = process.env): string {
  const mirror = env.KLP_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  const security = env.KLP_DEBIAN_SECURITY_MIRROR ?? 'http://deb.debian.org/debian-security';
  const opts = `[arch=${APT_ARCHES.join(',')} signed-by=${KEYRING}]`;
  return [
    `deb ${opts} ${mirror} bookworm main`,
    `deb ${opts} ${security} bookworm-security main`,
    `deb ${opts} ${mirror} bookworm-backports main`,
    '',
  ].join('\n');
}

/** The private APT configuration: nothing of the system's state, sources or pins is used. */
export function aptConfig(dir: string, root = process.getuid?.() === 0): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    `Dir::State ${q(join(dir, 'state'))};`,
    `Dir::State::Lists ${q(join(dir, 'lists'))};`,
    `Dir::State::status ${q(join(dir, 'status'))};`,
    `Dir::Cache ${q(join(dir, 'cache'))};`,
    `Dir::Etc::SourceList ${q(join(dir, 'sources.list'))};`,
    'Dir::Etc::SourceParts "/nonexistent";',
    'Dir::Etc::Preferences "/nonexistent";',
    'Dir::Etc::PreferencesParts "/nonexistent";',
    `APT::Architecture "amd64";`,
    `APT::Architectures { ${APT_ARCHES.map((a) => `"${a}";`).join(' ')} };`,
    'Acquire::Languages "none";',
    'Acquire::Retries "3";',
    // As root, apt downloads as _apt, who cannot write into a cache under /root.
    ...(root ? ['APT::Sandbox::User "root";'] : []),
    '',
  ].join('\n');
}

/** One stanza of `apt-cache show`. */
export type AptStanza = Map<string, string>;

export function parseAptShow(text: string): AptStanza[] {
  const out: AptStanza[] = [];
  let cur: AptStanza | undefined;
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      cur = undefined;
      continue;
    }
    if (/^\s/.test(line)) {
      if (cur && last) cur.set(last, `${cur.get(last)}\n${line.trim()}`);
      continue;
    }
    const i = line.indexOf(':');
    if (i < 0) continue;
    if (!cur) out.push((cur = new Map()));
    last = line.slice(0, i);
    cur.set(last, line.slice(i + 1).trim());
  }
  return out;
}

/** `a (= 1.2), b | c, d:any` → [{name a, version 1.2}, {name b}, {name d}] (first alternative). */
export function parseDepends(field: string | undefined): Array<{ name: string; version?: string }> {
  if (!field) return [];
  return field.split(',').map((dep) => {
    const first = dep.split('|')[0]!.trim();
    const m = /^([^\s(:]+)(?::\S+)?(?:\s*\(\s*=\s*([^)\s]+)\s*\))?/.exec(first);
    return m ? { name: m[1]!, ...(m[2] ? { version: m[2] } : {}) } : { name: first };
  });
}

/** Debian version ordering (deb-version(7)): epoch, upstream, revision; `~` sorts before all. */
export function compareDebianVersions(a: string, b: string): number {
  const split = (v: string): [number, string, string] => {
    const c = v.indexOf(':');
    const epoch = c >= 0 ? Number(v.slice(0, c)) : 0;
    const rest = c >= 0 ? v.slice(c + 1) : v;
    const d = rest.lastIndexOf('-');
    return d >= 0 ? [epoch, rest.slice(0, d), rest.slice(d + 1)] : [epoch, rest, ''];
  };
  const order = (ch: string): number => (ch === '~' ? -1 : /[A-Za-z]/.test(ch) ? ch.charCodeAt(0) : ch.charCodeAt(0) + 256);
  const part = (x: string, y: string): number => {
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      while ((i < x.length && !/\d/.test(x[i]!)) || (j < y.length && !/\d/.test(y[j]!))) {
        const cx = i < x.length && !/\d/.test(x[i]!) ? order(x[i]!) : 0;
        const cy = j < y.length && !/\d/.test(y[j]!) ? order(y[j]!) : 0;
        if (cx !== cy) return cx - cy;
        if (i < x.length && !/\d/.test(x[i]!)) i++;
        if (j < y.length && !/\d/.test(y[j]!)) j++;
      }
      let nx = '';
      let ny = '';
      while (i < x.length && /\d/.test(x[i]!)) nx += x[i++];
      while (j < y.length && /\d/.test(y[j]!)) ny += y[j++];
      const dn = Number(nx || '0') - Number(ny || '0');
      if (dn !== 0) return dn;
    }
    return 0;
  };
  const [ea, ua, ra] = split(a);
  const [eb, ub, rb] = split(b);
  return ea - eb || part(ua, ub) || part(ra, rb);
}

export interface DebPackage {
  name: string;
  /** Debian architecture, or 'all'. */
  arch: string;
  version: string;
}

export const formatPackage = (p: DebPackage): string => `${p.name}:${p.arch} ${p.version}`;

/** apt-get and apt-cache on the private configuration in `<cache>/apt`. */
export class PrivateApt {
  readonly dir: string;
  readonly debs: string;
  private updated = false;

  constructor(
    cache: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.dir = join(cache, 'apt');
    this.debs = join(cache, 'debs');
  }

  private get env(): NodeJS.ProcessEnv {
    return { ...process.env, APT_CONFIG: join(this.dir, 'apt.conf'), LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' };
  }

  private async run(cmd: string, args: string[], cwd?: string): Promise<string> {
    const r = await execa(cmd, args, { env: this.env, reject: false, all: true, stdin: 'ignore', ...(cwd ? { cwd } : {}) });
    if (r.exitCode !== 0) {
      throw new HarnessError(`${cmd} ${args.join(' ')} failed (exit ${r.exitCode ?? r.signal}):\n${(r.all ?? r.message).split('\n').slice(-15).join('\n')}`);
    }
    return r.stdout;
  }

  /** `apt-get update`, unless the lists are younger than maxAgeMs (KLP_APT_MAX_AGE_H, default 12 h). */
  async ensureLists(maxAgeMs = Number(process.env.KLP_APT_MAX_AGE_H ?? 12) * 3600_000): Promise<void> {
    if (this.updated) return;
    for (const d of ['lists/partial', 'cache/archives/partial', 'state']) mkdirSync(join(this.dir, d), { recursive: true });
    writeOutput(join(this.dir, 'apt.conf'), aptConfig(this.dir));
    const sources = sourcesList();
    const sourcesPath = join(this.dir, 'sources.list');
    const sameSources = existsSync(sourcesPath) && readInputText(sourcesPath) === sources;
    writeOutput(sourcesPath, sources);
    if (!existsSync(join(this.dir, 'status'))) writeOutput(join(this.dir, 'status'), '');
    const stamp = join(this.dir, 'updated');
    const fresh = sameSources && existsSync(stamp) && Date.now() - statSync(stamp).mtimeMs < maxAgeMs;
    if (!fresh) {
      this.log('apt-get update (private lists: bookworm, bookworm-security, bookworm-backports; amd64 arm64 ppc64el s390x)…');
      try {
        await this.run('apt-get', ['update', '-q']);
        writeOutput(stamp, `${new Date().toISOString()}\n`);
      } catch (e) {
        // Offline with lists from an earlier update: use them, and say so. Without any, fail.
        if (!sameSources || !existsSync(stamp)) throw e;
        this.log(`apt-get update failed; using the lists of ${readInputText(stamp).trim()}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    this.updated = true;
  }

  /** Every version apt knows of `name:arch`; none is an error. */
  async show(name: string, arch: string): Promise<AptStanza[]> {
    await this.ensureLists();
    const spec = arch === 'all' ? name : `${name}:${arch}`;
    const r = await execa('apt-cache', ['show', spec], { env: this.env, reject: false, all: true, stdin: 'ignore' });
    const stanzas = r.exitCode === 0 ? parseAptShow(r.stdout) : [];
    if (stanzas.length === 0) throw new HarnessError(`Debian has no package ${spec} in bookworm, bookworm-security or bookworm-backports (apt-cache: ${(r.all ?? '').trim().split('\n').pop()})`);
    return stanzas;
  }

  /** The exact package, with the fields of that version. */
  async stanza(p: DebPackage): Promise<AptStanza> {
    const s = (await this.show(p.name, p.arch)).find((x) => x.get('Version') === p.version);
    if (!s) throw new HarnessError(`Debian has no ${formatPackage(p)} (only ${(await this.show(p.name, p.arch)).map((x) => x.get('Version')).join(', ')})`);
    return s;
  }

  /** Downloads (or finds already downloaded) each package; returns the .deb paths. */
  async download(pkgs: readonly DebPackage[]): Promise<string[]> {
    mkdirSync(this.debs, { recursive: true });
    const file = (p: DebPackage): string => join(this.debs, `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.arch}.deb`);
    const missing = pkgs.filter((p) => !existsSync(file(p)));
    if (missing.length > 0) {
      await this.ensureLists();
      this.log(`apt-get download ${missing.map(formatPackage).join(', ')}…`);
      await this.run('apt-get', ['download', '-q', ...missing.map((p) => `${p.name}:${p.arch}=${p.version}`)], this.debs);
    }
    return pkgs.map((p) => {
      if (!existsSync(file(p))) throw new HarnessError(`apt-get download left no ${file(p)}`);
      return file(p);
    });
  }
}

export async function extractDeb(deb: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  const r = await execa('dpkg-deb', ['-x', deb, into], { reject: false, all: true, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new HarnessError(`dpkg-deb -x ${deb} failed: ${r.all ?? r.message}`);
}

/** A Debian kernel series the harness knows: 6.1 from bookworm(-security), 6.12 from bookworm-backports. */
export interface DebianSeries {
  series: string;
  backports: boolean;
}

/** The newest linux-image-<flavour> metapackage version of the series, and the image it depends on. */
export function pickKernelVersion(stanzas: readonly AptStanza[], want: DebianSeries): { version: string; image: string } | undefined {
  const matching = stanzas
    .map((s) => ({ version: s.get('Version') ?? '', depends: parseDepends(s.get('Depends')) }))
    .filter((s) => s.version.startsWith(`${want.series}.`) && s.version.includes('~bpo') === want.backports)
    .sort((a, b) => compareDebianVersions(b.version, a.version));
  const best = matching[0];
  const image = best?.depends.find((d) => d.name.startsWith('linux-image-') && d.version === best.version)?.name;
  return best && image ? { version: best.version, image } : undefined;
}

export interface DebianKernel {
  /** The kernel release (uname -r): 6.1.0-57-arm64. */
  release: string;
  /** The source package version: 6.1.192-3. */
  version: string;
  root: string;
  image: string;
  /** The headers' kbuild tree, its Makefile re-pointed at the extracted -common tree. */
  headers: string;
  modulesDir: string;
  config: string;
  packages: DebPackage[];
}

/**
 * Fetches (or finds in the cache) a Debian kernel: image, headers, their -common, and the amd64
 * linux-kbuild they depend on, all of exactly one version, extracted into one root.
 */
export async function fetchDebianKernel(spec: ArchSpec, want: DebianSeries, cache: string, log: (l: string) => void): Promise<DebianKernel> {
  const apt = new PrivateApt(cache, log);
  const meta = `linux-image-${spec.flavour}`;
  const picked = pickKernelVersion(await apt.show(meta, spec.debArch), want);
  if (!picked) throw new HarnessError(`Debian has no ${want.series} kernel for ${spec.debArch} in ${want.backports ? 'bookworm-backports' : 'bookworm or bookworm-security'} (${meta})`);
  const release = picked.image.slice('linux-image-'.length);
  const root = join(cache, 'debian', release);
  const marker = join(root, 'fetched.json');
  if (existsSync(marker)) {
    const prior = JSON.parse(readInputText(marker)) as { version: string; packages: DebPackage[] };
    if (prior.version === picked.version) return describe(spec, release, picked.version, root, prior.packages);
  }
  const image: DebPackage = { name: picked.image, arch: spec.debArch, version: picked.version };
  const headers: DebPackage = { name: `linux-headers-${release}`, arch: spec.debArch, version: picked.version };
  const deps = parseDepends((await apt.stanza(headers)).get('Depends'));
  const common = deps.find((d) => /^linux-headers-.*-common$/.test(d.name));
  const kbuild = deps.find((d) => d.name.startsWith('linux-kbuild-'));
  if (!common || !kbuild) throw new HarnessError(`${formatPackage(headers)} does not depend on a -common headers package and a linux-kbuild`);
  const pkgs: DebPackage[] = [
    image,
    headers,
    { name: common.name, arch: 'all', version: common.version ?? picked.version },
    // The kbuild tools run on the host: amd64, of exactly the headers' version.
    { name: kbuild.name, arch: 'amd64', version: kbuild.version ?? picked.version },
  ];
  const debs = await apt.download(pkgs);
  rmSync(root, { recursive: true, force: true });
  log(`extracting ${debs.length} packages into ${root}…`);
  for (const d of debs) await extractDeb(d, root);
  const headersDir = join(root, 'usr/src', `linux-headers-${release}`);
  const makefile = join(headersDir, 'Makefile');
  const text = readInputText(makefile);
  const fixed = text.replace(/^include \/usr\/src\//m, `include ${root}/usr/src/`);
  if (fixed === text) throw new HarnessError(`${makefile} has no 'include /usr/src/…' line to re-point`);
  writeOutput(makefile, fixed);
  writeOutput(marker, `${JSON.stringify({ release, version: picked.version, packages: pkgs }, null, 2)}\n`);
  return describe(spec, release, picked.version, root, pkgs);
}

function describe(spec: ArchSpec, release: string, version: string, root: string, packages: DebPackage[]): DebianKernel {
  const image = join(root, spec.packageImage.replace('%v', release));
  if (!existsSync(image)) throw new HarnessError(`${packages[0]?.name} has no ${spec.packageImage.replace('%v', release)}`);
  return {
    release,
    version,
    root,
    image,
    headers: join(root, 'usr/src', `linux-headers-${release}`),
    modulesDir: join(root, 'lib/modules', release),
    config: readInputText(join(root, 'boot', `config-${release}`)),
    packages,
  };
}

/** busybox-static of the architecture (Debian's newest in bookworm), extracted; returns the binary. */
export async function fetchBusybox(spec: ArchSpec, cache: string, log: (l: string) => void): Promise<{ path: string; pkg: DebPackage }> {
  const dir = join(cache, 'debian', `busybox-static-${spec.debArch}`);
  const marker = join(dir, 'fetched.json');
  if (existsSync(marker) && existsSync(join(dir, 'bin/busybox'))) return { path: join(dir, 'bin/busybox'), pkg: JSON.parse(readInputText(marker)) as DebPackage };
  const apt = new PrivateApt(cache, log);
  const versions = (await apt.show('busybox-static', spec.debArch)).map((s) => s.get('Version') ?? '').sort((a, b) => compareDebianVersions(b, a));
  const pkg: DebPackage = { name: 'busybox-static', arch: spec.debArch, version: versions[0]! };
  const [deb] = await apt.download([pkg]);
  rmSync(dir, { recursive: true, force: true });
  await extractDeb(deb!, dir);
  if (!existsSync(join(dir, 'bin/busybox'))) throw new HarnessError(`${formatPackage(pkg)} has no bin/busybox`);
  writeOutput(marker, `${JSON.stringify(pkg)}\n`);
  return { path: join(dir, 'bin/busybox'), pkg };
}

/** The kernel's config as a map CONFIG_X → value ('n' for "is not set"). */
export function parseKernelConfig(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const set = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (set) m.set(set[1]!, set[2]!);
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
    if (unset) m.set(unset[1]!, 'n');
  }
  return m;
}

/** Module files under a modules directory by path relative to it, compressed ones included. */
export function findModule(modulesDir: string, rel: string): string | undefined {
  for (const ext of ['', '.xz', '.zst']) if (existsSync(join(modulesDir, rel + ext))) return join(modulesDir, rel + ext);
  return undefined;
}
