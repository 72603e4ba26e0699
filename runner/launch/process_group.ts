/**
 * Signals and stops a child's whole process group with bounded waits.
 *
 * The agent is spawned detached (pid = pgid), so `-pid` reaches it and everything it
 * started. `Deno.kill` needs unrestricted `--allow-run`; a narrowed agent-run instead runs
 * the system `kill` binary, which its permission flags allow (see permissions_flags.ts).
 */

/** Where the agent-run looks for `kill(1)`, in order; permissions_flags.ts uses the same list. */
export const KILL_BINARIES = ["/usr/bin/kill", "/bin/kill"] as const;

export type GroupSignal = "SIGTERM" | "SIGKILL" | "SIGINT";

function isPermissionOrMissing(err: unknown): boolean {
  return err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied ||
    err instanceof Deno.errors.NotFound;
}

function killArgs(pgid: number, signal: GroupSignal): string[] {
  return ["-s", signal.slice(3), "--", `-${pgid}`];
}

/** Sends `signal` to process group `pgid`; a group that is already gone is not an error. */
export async function signalGroup(pgid: number, signal: GroupSignal): Promise<void> {
  if (!(pgid > 1)) return;
  try {
    Deno.kill(-pgid, signal);
    return;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return; // ESRCH
    if (!isPermissionOrMissing(err)) throw err;
  }
  for (const bin of KILL_BINARIES) {
    try {
      await new Deno.Command(bin, {
        args: killArgs(pgid, signal),
        stdin: "null",
        stdout: "null",
        stderr: "null",
        clearEnv: true,
      }).output();
      return;
    } catch (err) {
      if (!isPermissionOrMissing(err)) throw err;
    }
  }
}

/** Synchronous `signalGroup`, for exit paths that cannot await, and agentd. Never throws. */
export function signalGroupSync(pgid: number, signal: GroupSignal): void {
  if (!(pgid > 1)) return;
  try {
    Deno.kill(-pgid, signal);
    return;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
  }
  for (const bin of KILL_BINARIES) {
    try {
      new Deno.Command(bin, {
        args: killArgs(pgid, signal),
        stdin: "null",
        stdout: "null",
        stderr: "null",
        clearEnv: true,
      }).outputSync();
      return;
    } catch {
      // try the next one
    }
  }
}

/** Resolves with the status, or undefined when `ms` passes first. */
export async function waitFor<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface StopGroupOptions {
  /** Asks politely first (e.g. closes the agent's stdin). */
  closeInput?: () => void | Promise<void>;
  /** Wait after closing input before SIGTERM. */
  graceMs?: number;
  /** Wait after SIGTERM before SIGKILL. */
  termMs?: number;
  /** Wait after SIGKILL. */
  killMs?: number;
  signal?: (pgid: number, signal: GroupSignal) => Promise<void>;
}

export interface StopGroupResult {
  status?: Deno.CommandStatus;
  /** The steps it took: "input", "SIGTERM", "SIGKILL". */
  steps: string[];
}

/**
 * Stops a detached child and its group: close input, wait, SIGTERM the group, wait, SIGKILL
 * the group, wait; every wait bounded. The group gets a last SIGKILL even when the leader
 * left on its own, so that nothing it started lingers.
 */
export async function stopProcessGroup(
  child: { pid: number; status: Promise<Deno.CommandStatus> },
  opts: StopGroupOptions = {},
): Promise<StopGroupResult> {
  const send = opts.signal ?? signalGroup;
  const steps: string[] = [];
  let status: Deno.CommandStatus | undefined;
  if (opts.closeInput) {
    steps.push("input");
    try {
      await waitFor(Promise.resolve(opts.closeInput()), 500);
    } catch {
      // input already closed
    }
    status = await waitFor(child.status, opts.graceMs ?? 2_000);
  }
  if (!status) {
    steps.push("SIGTERM");
    await send(child.pid, "SIGTERM");
    status = await waitFor(child.status, opts.termMs ?? 2_000);
  }
  if (!status) {
    steps.push("SIGKILL");
    await send(child.pid, "SIGKILL");
    status = await waitFor(child.status, opts.killMs ?? 2_000);
  } else {
    await send(child.pid, "SIGKILL");
  }
  return { status, steps };
}
