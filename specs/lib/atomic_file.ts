/**
 * How every contract file (config.json, state.json, task files, the pid file) is written:
 * whole, through a temp file in the same directory and a rename, so a reader — another
 * process, or the next agentd after a crash — never sees a torn file.
 *
 * @module
 */

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o600). */
  mode?: number;
  /** fsync before the rename, for files that must survive a power loss. */
  sync?: boolean;
}

/**
 * Writes `text` to `path` whole: into a fresh temp file beside it, then renamed over it. On
 * failure the temp file is removed and `path` keeps its old content.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_file.ts";
 * await writeFileAtomic("/tmp/state.json", JSON.stringify({ phase: "idle" }), { sync: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: opts.mode ?? 0o600 });
    try {
      const data = new TextEncoder().encode(text);
      let off = 0;
      while (off < data.length) off += await file.write(data.subarray(off));
      if (opts.sync) await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/**
 * {@linkcode writeFileAtomic}, synchronously, for exit paths.
 *
 * @example
 * ```ts
 * import { writeFileAtomicSync } from "./atomic_file.ts";
 * writeFileAtomicSync("/tmp/state.json", "{}");
 * ```
 */
export function writeFileAtomicSync(path: string, text: string, opts: AtomicWriteOptions = {}) {
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    Deno.writeTextFileSync(tmp, text, { createNew: true, mode: opts.mode ?? 0o600 });
    Deno.renameSync(tmp, path);
  } catch (err) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // nothing to remove
    }
    throw err;
  }
}
