// Every long-running program the harness starts (QEMU, kbuild's make, a build command, a copy of
// the harness) runs in a process group of its own, started `detached`, and that whole group is
// killed once the program exits, times out or the harness itself exits: nothing it started
// outlives it, whatever holds its pipes. The reference runs get the same from spawner.ts.
const live = new Set<number>();
let hooked = false;

function killGroup(pid: number): void {
  live.delete(pid);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

/** Takes a child started with `detached: true`; its group dies with it, or with the harness. */
export function inOwnGroup<T extends { pid?: number | undefined; once(event: 'exit', listener: () => void): unknown }>(child: T): T {
  const pid = child.pid;
  if (pid === undefined) return child;
  live.add(pid);
  child.once('exit', () => killGroup(pid));
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const p of [...live]) killGroup(p);
    });
  }
  return child;
}
