// Builds klp-convert's bin after tsc (npm run build), in dist/src/cli/ (or DIR/src/cli with --dist DIR):
//   main.bundle.cjs        the whole CLI in one CommonJS file (esbuild)
//   main.bundle.<h>.cache  V8's code cache for it, made by running it on two conversions
//   main.cjs               the bin: compiles the bundle with that cache and runs it
//   main.js                `import './main.cjs'`, for whoever runs `node dist/src/cli/main.js`
//
// Why (docs/performance.md has the measurements): start-up is most of a small conversion.
// - One file instead of ~30 ES modules saves their resolution and loading, and CommonJS as the
//   entry saves Node's ES module loader, which an ES module entry initialises first.
// - Node 20 has no compile cache for user code (module.enableCompileCache is Node 22), but
//   vm.Script takes V8's cached data: the functions a conversion runs are then deserialised
//   instead of parsed and compiled. V8 checks the cache against its version, its flags and the
//   source's length and ignores a cache that does not fit (or is cut short), which only costs
//   the compile; the cache's name carries a hash of the bundle, so a rebuilt bundle never meets
//   an old cache. V8 does not checksum the contents: a cache damaged on disk after the build can
//   crash it, as a damaged bundle can break the CLI; `npm run build` writes both again. (A
//   checksum in JavaScript cost ~15 M instructions and ~150 page faults per start: the whole
//   compile it saves is ~25 M.)
// - The subcommands (`check`, `symbols`) and `--check` import their modules dynamically; those
//   imports stay outside the bundle and load tsc's ES modules next to it, only when used.
// - node:crypto is replaced by scripts/bundle/random-bytes.mjs (it says why).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--dist DIR`: tsc's output directory (default dist/); the bin goes to DIR/src/cli.
const distAt = process.argv.indexOf('--dist');
const DIST = distAt > 0 ? resolve(process.argv[distAt + 1]) : join(ROOT, 'dist');
const CLI = join(DIST, 'src/cli');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const { writeOutput } = await import(join(DIST, 'src/io/files.js'));
const { generateSymbolsFile, syntheticModule, unresolvedNames } = await import(join(DIST, 'harness/bench/inputs.js'));

const BUNDLE = 'main.bundle.cjs';
const LAZY = ['./check.js', './symbols.js', '../klp/lint.js', 'node:v8'];
const fail = (msg) => {
  process.stderr.write(`build-cli: ${msg}\n`);
  process.exit(1);
};

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  write: false,
  outfile: join(CLI, BUNDLE),
  sourcemap: 'linked',
  // The version is built in: `typeof KLP_CONVERT_VERSION === 'string'` folds to true and the
  // package.json read after it (the one use of import.meta, which CommonJS lacks) is dropped.
  minifySyntax: true,
  define: { KLP_CONVERT_VERSION: JSON.stringify(pkg.version), 'import.meta.url': 'undefined' },
  logLevel: 'warning',
  plugins: [
    {
      // scripts/bundle/random-bytes.mjs says why; it alone gets the real module.
      name: 'random-bytes',
      setup(b) {
        const shim = join(ROOT, 'scripts/bundle/random-bytes.mjs');
        b.onResolve({ filter: /^node:crypto$/ }, (a) => (a.importer === shim ? { path: 'node:crypto', external: true } : { path: shim }));
      },
    },
    {
      name: 'lazy-subcommands',
      setup(b) {
        b.onResolve({ filter: /\.js$|^node:v8$/ }, (a) => (a.kind === 'dynamic-import' && LAZY.includes(a.path) ? { path: a.path, external: true } : undefined));
      },
    },
  ],
});
if (result.errors.length > 0 || result.warnings.length > 0) fail('esbuild reported problems (above)');
const js = result.outputFiles.find((f) => f.path.endsWith('.cjs'));
const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
let text = js.text.replace(/^#!.*\n/, '');
if (/\bimport\.meta\b|package\.json/.test(text)) fail('the bundle still reads package.json');
// A script compiled by vm.Script has no loader for import(): the bin hands in its own.
for (const spec of LAZY) {
  const call = `import(${JSON.stringify(spec)})`;
  if (!text.includes(call)) fail(`the bundle has no ${call}`);
  text = text.replaceAll(call, `__klp_import(${JSON.stringify(spec)})`);
}
if (/\bimport\(/.test(text)) fail('the bundle has an import() the bin does not provide');
text = `var __klp_import = typeof __klp_import_hook == "function" ? __klp_import_hook : (s) => import(s);\n${text}`;
const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
const cacheName = `main.bundle.${hash}.cache`;

// The wrapper the bin compiles the bundle in (the same text here and in the bin: V8 checks it).
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname, __klp_import_hook) {';
const WRAP_TAIL = '\n})';

const loader = (cache) => `${readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8').split('\n', 1)[0]}
'use strict';
// klp-convert, as built by scripts/build-cli.mjs: compiles the bundled CLI (${BUNDLE}) with V8's
// code cache for it, when the cache fits this Node, and runs it. docs/performance.md says why.
const { readFileSync } = require('node:fs');
const { Script } = require('node:vm');
const file = __dirname + '/${BUNDLE}';
let cachedData;
${cache ? `try {
  cachedData = readFileSync(__dirname + '/${cache}');
} catch {
  // no cache: V8 compiles the bundle as usual
}` : '// (the training run: no cache yet)'}
const script = new Script(${JSON.stringify(WRAP_HEAD)} + readFileSync(file, 'latin1') + ${JSON.stringify(WRAP_TAIL)}, { filename: file, cachedData });
const m = { exports: {} };
script.runInThisContext().call(m.exports, m.exports, require, m, file, __dirname, (s) => import(s));
`;

writeOutput(join(CLI, BUNDLE), text);
writeOutput(join(CLI, `${BUNDLE}.map`), map.contents);

// The cache: run the bundle (as the bin does, without a cache) on a small conversion, which
// symbols.klp's JavaScript scanner reads, and a kernel-sized one, which the WebAssembly scanner
// reads; then ask V8 for the code of every function that ran.
const work = mkdtempSync(join(tmpdir(), 'klp-build-cli-'));
try {
  const file = generateSymbolsFile();
  const names = unresolvedNames(file, 10);
  const big = join(work, 'big.klp');
  writeOutput(big, file.text);
  const small = join(work, 'small.klp');
  writeOutput(small, `klp-convert-symbol-data.0.1\n*vmlinux\n__ksymtab_printk\nprintk\n${names.join('\n')}\n*ext4\n`);
  const module = join(work, 'in.ko');
  writeOutput(module, syntheticModule(names).bytes);
  const trainer = join(CLI, `.train-${process.pid}.cjs`);
  writeOutput(trainer, `${loader(undefined)}
const runs = ${JSON.stringify([[small, module, join(work, 'out1.ko')], [big, module, join(work, 'out2.ko')]])};
const argv = process.argv;
for (const args of runs) {
  process.argv = [argv[0], argv[1], ...args];
  const again = { exports: {} };
  script.runInThisContext().call(again.exports, again.exports, require, again, file, __dirname, (s) => import(s));
}
process.on('exit', (code) => {
  if (code === 0 && process.exitCode === 0) require('node:fs').writeSync(1, script.createCachedData().toString('base64'));
});
`);
  let r;
  try {
    // Without NODE_EXTRA_CA_CERTS, as the bin runs; the cache must be made by this very Node.
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    r = spawnSync(process.execPath, [trainer], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  } finally {
    unlinkSync(trainer);
  }
  if (r.status !== 0 || !r.stdout) fail(`the training run failed (exit ${r.status}): ${r.stderr}`);
  for (const f of readdirSync(CLI)) if (/^main\.bundle\.[0-9a-f]+\.cache$/.test(f) && f !== cacheName) rmSync(join(CLI, f));
  writeOutput(join(CLI, cacheName), Buffer.from(r.stdout, 'base64'));
} finally {
  rmSync(work, { recursive: true, force: true });
}

writeOutput(join(CLI, 'main.cjs'), loader(cacheName), { mode: 0o755 });
// The path tests and scripts run (`node dist/src/cli/main.js`): the same bin behind one import.
// A later plain `tsc` build replaces it with the unbundled entry, which behaves the same.
writeOutput(join(CLI, 'main.js'), `${readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8').split('\n', 1)[0]}\n// Written by scripts/build-cli.mjs: klp-convert is main.cjs next to this file.\nimport './main.cjs';\n`, { mode: 0o755 });
// writeOutput keeps an existing file's mode; both are run directly.
for (const f of ['main.cjs', 'main.js']) chmodSync(join(CLI, f), 0o755);
