/**
 * The daemon root: where it is, its directory modes, and the lock that makes one daemon per
 * root. The lock is an flock on `<root>/mass.lock`, held for the daemon's lifetime; the
 * kernel drops it when the process dies, so a crashed daemon never leaves a false "running".
 */
import { writeFileAtomic } from "../specs/lib/atomic_file.ts";
import { join, resolve } from "node:path";
import type { RootPaths } from "./context.ts";

/** `--root` beats `MASS_ROOT`, which beats `$HOME/.mass` (then `$TMPDIR/.mass`). */
export function resolveRoot(
  flag: string | undefined,
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): string {
  const chosen = flag || env("MASS_ROOT") ||
    (env("HOME") ? join(env("HOME")!, ".mass") : join(env("TMPDIR") || "/tmp", ".mass"));
  return resolve(chosen);
}

/** `<root>/mass.lock`, the file whose flock makes one daemon per root. */
export function lockPath(paths: RootPaths): string {
  return join(paths.root, "mass.lock");
}

/**
 * Creates the root (0700) and its subdirectories. An existing root is used as it is, never
 * chmodded (it may be a directory the user made for something else); it must be ours and
 * not writable by group or others, else this throws {@link unsafeRootProblem}'s one line.
 */
export async function prepareRoot(paths: RootPaths): Promise<void> {
  let existing: Deno.FileInfo | undefined;
  try {
    existing = await Deno.stat(paths.root);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (existing) {
    const problem = unsafeRootProblem(paths.root, existing);
    if (problem) throw new Error(problem);
  } else {
    await Deno.mkdir(paths.root, { recursive: true, mode: 0o700 });
    // mkdir's mode is masked by umask; this directory is ours, made just now.
    await Deno.chmod(paths.root, 0o700);
  }
  for (const dir of [paths.logs, paths.workspaces, paths.runs]) {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  }
  // SQLite gives its -wal/-shm files the main file's mode: make that 0600 up front.
  const kv = await Deno.open(paths.kv, { create: true, write: true, mode: 0o600 });
  kv.close();
  await Deno.chmod(paths.kv, 0o600);
}

/** Why an existing `root` is not safe to hold agentd's socket and store, or undefined. */
export function unsafeRootProblem(
  root: string,
  info: Deno.FileInfo,
  uid: number | null = Deno.uid(),
): string | undefined {
  if (!info.isDirectory) return `root ${root} exists and is not a directory; choose another --root`;
  if (uid !== null && info.uid !== null && info.uid !== uid) {
    return `root ${root} is owned by uid ${info.uid}, not by this user (uid ${uid}); ` +
      `choose a root of your own with --root`;
  }
  const mode = (info.mode ?? 0) & 0o777;
  if (mode & 0o022) {
    return `root ${root} is writable by group or others (mode ${mode.toString(8)}); ` +
      `run chmod go-w ${root} or choose another --root`;
  }
  return undefined;
}

/** Another live daemon holds the root. */
export class RootLockedError extends Error {
  constructor(readonly root: string, readonly pid: number | undefined) {
    super(
      pid
        ? `another mass daemon (pid ${pid}) is running on ${root}`
        : `another mass daemon is running on ${root}`,
    );
    this.name = "RootLockedError";
  }
}

export interface RootLock {
  readonly pid: number;
  /** Removes the pid file (if still ours) and drops the lock. */
  release(): Promise<void>;
}

/** Reads a pid file; undefined when absent or not a positive integer. */
export async function readPidFile(path: string): Promise<number | undefined> {
  try {
    const text = (await Deno.readTextFile(path)).trim();
    const pid = Number(text);
    return /^\d+$/.test(text) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the root's lock and writes the pid file, or throws RootLockedError naming the
 * holder. A pid file left by a dead daemon is simply overwritten.
 */
export async function acquireRootLock(paths: RootPaths, pid = Deno.pid): Promise<RootLock> {
  const file = await Deno.open(lockPath(paths), {
    read: true,
    write: true,
    create: true,
    mode: 0o600,
  });
  let locked = false;
  try {
    locked = await file.tryLock(true);
  } catch (err) {
    file.close();
    throw err;
  }
  if (!locked) {
    file.close();
    const holder = await readPidFile(lockPath(paths)) ?? await readPidFile(paths.pidFile);
    throw new RootLockedError(paths.root, holder);
  }
  try {
    // The lock file carries the pid too, so the holder is known even without mass.pid.
    await file.truncate(0);
    await file.write(new TextEncoder().encode(`${pid}\n`));
    await writeFileAtomic(paths.pidFile, `${pid}\n`);
  } catch (err) {
    file.close();
    throw err;
  }
  let released = false;
  return {
    pid,
    async release() {
      if (released) return;
      released = true;
      if (await readPidFile(paths.pidFile) === pid) {
        await Deno.remove(paths.pidFile).catch(() => {});
      }
      try {
        await file.truncate(0);
      } catch {
        // best effort: the lock itself is what matters
      }
      // Unlock before closing: a close alone drops the flock only once every reference to
      // the file is gone, and a daemon restarted in the same process could meet it still held.
      await file.unlock().catch(() => {});
      file.close();
    },
  };
}

/**
 * Whether some process holds the root's lock right now. Probes with a non-blocking lock
 * that is released at once; never creates the root.
 */
export async function isRootLocked(paths: RootPaths): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(lockPath(paths), { read: true });
  } catch {
    return false;
  }
  try {
    const got = await file.tryLock(true);
    if (got) await file.unlock();
    return !got;
  } finally {
    file.close();
  }
}
