#!/usr/bin/env node
// The klp-harness bin: everything is in program.ts, which tests import without running it.
import { EXIT, main } from './program.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // A bug in the harness: still one line, and exit 2 (the harness could not do its job).
    process.stderr.write(`klp-harness: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT.cannotRun;
  },
);
