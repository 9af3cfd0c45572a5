/** The harness itself cannot run (bad arguments, missing reference, unreadable corpus): exit 2. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
}
