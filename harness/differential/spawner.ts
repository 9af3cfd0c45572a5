// Runs programs for the harness from a small child process of its own. Starting a process from
// Node costs the parent a fork of its whole address space, on its one JavaScript thread: for the
// harness (100+ MB, a reference run per case) that was a third of a run's time, more than the
// reference itself took (docs/performance.md). This process stays small and does the spawning on
// the other core; the harness only passes messages.
//
// As a module it exports runProcess; run as a script (by runProcess, over an IPC channel) it is
// the spawner. Without an IPC channel (it cannot be forked, say) runProcess spawns directly.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Keep at most this much of a program's stderr: a broken build may print megabytes. */
export const STDERR_LIMIT = 64 * 1024;

export interface ProcessRequest {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
}

export type ProcessResult = { stderr: string } & (
  | { how: 'exit'; exitCode: number }
  | { how: 'signal'; signal: string }
  | { how: 'timeout' }
  | { how: 'interrupted' }
  /** The program could not be started (missing, not executable): errno's words. */
  | { how: 'not-started'; message: string }
);

const SPAWNER_EXITED = 'the harness spawner exited';

type ToSpawner = { id: number; run: ProcessRequest } | { id: number; kill: true };
type FromSpawner = { id: number; result: ProcessResult };

/**
 * One run of a program: no shell, no stdin, stdout dropped, stderr kept up to STDERR_LIMIT (the
 * rest read and dropped, so a flood never blocks it). The program runs in a process group of its
 * own; the verdict is its own exit, not the closing of pipes a descendant may hold, and once it
 * has exited, timed out or been interrupted the whole group is killed: no descendant outlives
 * the run.
 */
export function runProcess(req: ProcessRequest, signal?: AbortSignal): Promise<ProcessResult> {
  if (signal?.aborted) return Promise.resolve({ how: 'interrupted', stderr: '' });
  const spawner = theSpawner();
  return spawner ? spawner.run(req, signal) : runHere(req, signal);
}

/** After the program exits, how long its stderr may take to drain before it is cut off. */
const DRAIN_MS = 500;

/** The spawning itself, in whichever process runs it. */
function runHere(req: ProcessRequest, signal?: AbortSignal, onChild?: (kill: () => void) => void): Promise<ProcessResult> {
  return new Promise((done) => {
    const child = spawn(req.file, req.args, { cwd: req.cwd, env: req.env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    let kept = 0;
    let ended: 'timeout' | 'interrupted' | undefined;
    let exited: { code: number | null; sig: NodeJS.Signals | null } | undefined;
    let settled = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    const kill = (why: 'timeout' | 'interrupted'): void => {
      if (exited) return;
      ended ??= why;
      killGroup();
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), req.timeoutMs);
    const onAbort = (): void => kill('interrupted');
    signal?.addEventListener('abort', onAbort, { once: true });
    onChild?.(onAbort);
    const settle = (r: ProcessResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      done(r);
    };
    const verdict = (): void => {
      const stderr = Buffer.concat(chunks).toString('utf8').slice(0, STDERR_LIMIT);
      const { code, sig } = exited!;
      if (ended) settle({ how: ended, stderr });
      else if (sig !== null) settle({ how: 'signal', signal: sig, stderr });
      else settle({ how: 'exit', exitCode: code ?? 0, stderr });
    };
    child.stderr!.on('data', (b: Buffer) => {
      if (kept >= STDERR_LIMIT) return;
      chunks.push(b);
      kept += b.length;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      child.stderr!.destroy();
      settle({ how: 'not-started', message: e.message, stderr: '' });
    });
    child.on('exit', (code, sig) => {
      exited = { code, sig };
      // What it started goes with it; a pipe still held by something that escaped the group is cut.
      killGroup();
      if (child.stderr!.closed) {
        verdict();
        return;
      }
      const drain = setTimeout(() => {
        child.stderr!.destroy();
        verdict();
      }, DRAIN_MS);
      child.stderr!.once('close', () => {
        clearTimeout(drain);
        verdict();
      });
    });
  });
}

/** The harness's side of the spawner: requests by id, the channel held open only while some wait. */
class Spawner {
  private next = 0;
  private readonly waiting = new Map<number, (r: ProcessResult) => void>();

  constructor(private readonly child: ChildProcess) {
    child.on('message', (m: FromSpawner) => {
      const done = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      this.hold();
      done?.(m.result);
    });
    // The spawner gone (killed by someone): what waits runs here instead; later runs too.
    child.on('exit', () => {
      spawner = null;
      for (const done of this.waiting.values()) done({ how: 'not-started', message: SPAWNER_EXITED, stderr: '' });
      this.waiting.clear();
    });
    child.unref();
    this.hold();
  }

  run(req: ProcessRequest, signal?: AbortSignal): Promise<ProcessResult> {
    const id = this.next++;
    return new Promise((done) => {
      const onAbort = (): void => void this.child.send({ id, kill: true } satisfies ToSpawner);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, (r) => {
        signal?.removeEventListener('abort', onAbort);
        // A run the spawner could not make (it died) is made here: the harness never loses a case.
        if (r.how === 'not-started' && r.message === SPAWNER_EXITED) void runProcess(req, signal).then(done);
        else done(signal?.aborted && r.how !== 'exit' ? { how: 'interrupted', stderr: r.stderr } : r);
      });
      this.hold();
      this.child.send({ id, run: req } satisfies ToSpawner);
    });
  }

  /** An idle spawner must not keep the harness alive; a busy one must. */
  private hold(): void {
    const channel = this.child.channel;
    if (!channel) return;
    if (this.waiting.size > 0) channel.ref();
    else channel.unref();
  }
}

let spawner: Spawner | null | undefined;

function theSpawner(): Spawner | null {
  if (spawner !== undefined) return spawner;
  const script = fileURLToPath(import.meta.url);
  // Only the compiled file runs under plain node (tests import this one from its TypeScript source).
  if (!script.endsWith('.js')) return (spawner = null);
  try {
    const child = fork(script, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, KLP_HARNESS_SPAWNER: '1' }, execArgv: [] });
    spawner = new Spawner(child);
  } catch {
    spawner = null;
  }
  return spawner;
}

/** The spawner process: runs what it is sent, kills what it is told to, ends with its parent. */
function serve(): void {
  const kills = new Map<number, () => void>();
  process.on('message', (m: ToSpawner) => {
    if ('kill' in m) {
      kills.get(m.id)?.();
      return;
    }
    void runHere(m.run, undefined, (kill) => kills.set(m.id, kill)).then((result) => {
      kills.delete(m.id);
      process.send!({ id: m.id, result } satisfies FromSpawner);
    });
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.env['KLP_HARNESS_SPAWNER'] === '1' && process.send && process.argv[1] === fileURLToPath(import.meta.url)) serve();
