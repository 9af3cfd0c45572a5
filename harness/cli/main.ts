#!/usr/bin/env node
// The klp-harness bin: everything is in program.ts, which tests import without running it.
import { EXIT, isClosedPipe, main } from './program.js';

// The one place klp-harness handles a closed standard output or error (`klp-harness list | head`),
// for every command: nothing more is written, no stack trace (Node's default for an unhandled
// EPIPE), exit EXIT.closedPipe (141). Child processes (references, QEMU) are ended by their
// runners' exit hooks, as on any exit.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: unknown) => {
    if (!isClosedPipe(e) && stream === process.stdout) process.stderr.write(`klp-harness: standard output: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(isClosedPipe(e) ? EXIT.closedPipe : EXIT.cannotRun);
  });
}

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
