/**
 * `local` source: an existing directory on the host, used in place and never deleted by us.
 * The workspace path is the directory's real path, so later containment checks (file
 * serving, Deno permissions) compare real paths with real paths.
 */
import { isAbsolute } from "node:path";
import { isInside } from "../../specs/lib/is_inside.ts";
import { WorkspacePrepareError } from "./errors.ts";
import { clip } from "../../specs/lib/clip.ts";

export interface ResolveLocalOptions {
  /** agentd's root: a local workspace may not be the root or inside it. */
  root?: string;
}

/**
 * Validates `path` (absolute, exists, a directory, no symlink loop, outside `root`) and
 * returns its real path. Throws WorkspacePrepareError with a one-line reason.
 */
export async function resolveLocalPath(
  path: string,
  opts: ResolveLocalOptions = {},
): Promise<string> {
  if (typeof path !== "string" || path === "") {
    throw new WorkspacePrepareError("local workspace: source.path is required");
  }
  if (path.includes("\0")) throw new WorkspacePrepareError("local path contains a NUL byte");
  if (!isAbsolute(path)) {
    throw new WorkspacePrepareError(`local path must be absolute: ${JSON.stringify(clip(path))}`);
  }
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch (err) {
    throw new WorkspacePrepareError(`local path ${clip(path)}: ${fsReason(err)}`);
  }
  const info = await Deno.stat(real);
  if (!info.isDirectory) {
    throw new WorkspacePrepareError(`local path ${clip(path)} is not a directory`);
  }
  if (opts.root !== undefined) {
    const rootReal = await Deno.realPath(opts.root).catch(() => opts.root!);
    if (isInside(rootReal, real)) {
      throw new WorkspacePrepareError(
        `local path ${clip(path)} is inside the mass root ${rootReal}`,
      );
    }
  }
  return real;
}

function fsReason(err: unknown): string {
  if (err instanceof Deno.errors.NotFound) return "does not exist";
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (err instanceof Deno.errors.NotADirectory) return "a parent is not a directory";
  const msg = err instanceof Error ? err.message : String(err);
  if (/too many levels of symbolic links|ELOOP/i.test(msg)) return "symlink loop";
  // Deno's message ends with the path, already named (clipped) by the caller.
  return msg.replace(/: [a-z]+ '.*'$/s, "");
}
