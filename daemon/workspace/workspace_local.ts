/**
 * `local` source: an existing directory on the host, used in place and never deleted by us.
 * The workspace path is the directory's real path, so later containment checks (file
 * serving, Deno permissions) compare real paths with real paths.
 */
import { isAbsolute, resolve } from "node:path";
import { isInside } from "../../specs/lib/is_inside.ts";
import { WorkspacePrepareError } from "./errors.ts";
import { clip } from "../../specs/lib/clip.ts";

export interface ResolveLocalOptions {
  /** agentd's root: a local workspace may not be the root or inside it. */
  root?: string;
  /** agentd's `$HOME`: a local workspace may not be the home directory itself. */
  home?: string;
  /**
   * `spec.source.allowBroadPath`: accept `/`, an ancestor of the root, or `$HOME` itself.
   * The root and what is inside it stay refused.
   */
  allowBroadPath?: boolean;
}

/** The source field that lets a local workspace be a broad directory (named in refusals). */
export const ALLOW_BROAD_FIELD = "spec.source.allowBroadPath";

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
  const rootReal = opts.root === undefined ? undefined : await realOr(opts.root);
  if (rootReal !== undefined && isInside(rootReal, real)) {
    throw new WorkspacePrepareError(`local path ${clip(path)} is inside the mass root ${rootReal}`);
  }
  if (!opts.allowBroadPath) {
    const broad = await _broadReason(real, rootReal, opts.home);
    if (broad) {
      throw new WorkspacePrepareError(
        `local path ${clip(path)} is ${broad}: an agent would reach far more than a project; ` +
          `set ${ALLOW_BROAD_FIELD}: true if that is meant`,
      );
    }
  }
  return real;
}

/** Why `real` is too broad a workspace, or undefined. */
async function _broadReason(
  real: string,
  rootReal: string | undefined,
  home: string | undefined,
): Promise<string | undefined> {
  if (real === "/") return "the filesystem root";
  if (home && isAbsolute(home) && real === await realOr(home)) return "the home directory";
  if (rootReal !== undefined && isInside(real, rootReal)) {
    return `an ancestor of the mass root ${rootReal}`;
  }
  return undefined;
}

function realOr(path: string): Promise<string> {
  return Deno.realPath(path).catch(() => resolve(path));
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
