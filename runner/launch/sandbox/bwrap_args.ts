/**
 * Pieces of a bwrap command line shared by the agent-run's view and its agent's: the
 * system directories read-only, binds that skip missing sources, the namespaces.
 */
/** Host directories every view gets read-only (not / as a whole, not /home, /root, /tmp, /run). */
export const SYSTEM_DIRS = [
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/etc",
] as const;

function _lstat(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * `--ro-bind` (or `--symlink` for a merged-/usr link such as /bin -> usr/bin) of each system
 * directory that exists.
 */
export function systemArgs(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    const st = _lstat(dir);
    if (!st) continue;
    if (st.isSymlink) args.push("--symlink", Deno.readLinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  return args;
}

/** True when `path` is one of the system directories or inside one. */
export function isSystemPath(path: string): boolean {
  return SYSTEM_DIRS.some((d) => path === d || path.startsWith(`${d}/`));
}

/**
 * `--ro-bind` (or `--bind` when `writable`) of each path at its real location, skipping
 * missing ones and those the system directories already show.
 */
export function bindArgs(paths: Iterable<string>, writable = false): string[] {
  const args: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    let real: string;
    try {
      real = Deno.realPathSync(p);
    } catch {
      continue;
    }
    if (seen.has(real) || (!writable && isSystemPath(real))) continue;
    seen.add(real);
    args.push(writable ? "--bind" : "--ro-bind", real, real);
  }
  return args;
}

/**
 * Namespaces of a view: always PID (its own /proc, no signals out), IPC and UTS; the
 * network too when `network` is `none`.
 */
export function namespaceArgs(network: "host" | "none"): string[] {
  const args = ["--unshare-pid", "--unshare-ipc", "--unshare-uts"];
  if (network === "none") args.push("--unshare-net");
  return args;
}
