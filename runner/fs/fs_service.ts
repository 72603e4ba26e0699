/**
 * ACP `fs/read_text_file` and `fs/write_text_file`, served only inside the workspace.
 *
 * Every check is made on resolved real paths (the target's, or for a new file its nearest
 * existing ancestor's), so neither `..` nor a symlink can lead outside: Deno's own
 * permission check follows symlinks inside an allowed directory, so it is not enough.
 */
import { dirname, relative, resolve } from "node:path";
import { ErrorCode, RpcError } from "../../specs/errors.ts";
import { isInside } from "../../specs/lib/is_inside.ts";

/** ACP "resource not found". */
export const RESOURCE_NOT_FOUND = -32002;

/** An `fs/*` request refused or failed; `code` is the JSON-RPC code the agent gets. */
export class FsAccessError extends RpcError {
  constructor(code: number, message: string) {
    super(code, message);
    this.name = "FsAccessError";
  }
}

/** Lines `line` (1-based) .. `line + limit - 1` of `text`; the whole text when both unset. */
export function sliceLines(text: string, line?: number | null, limit?: number | null): string {
  if (line == null && limit == null) return text;
  const lines = text.split("\n");
  const start = Math.max(0, (line ?? 1) - 1);
  const end = limit == null ? lines.length : start + Math.max(0, limit);
  return lines.slice(start, end).join("\n");
}

function outside(path: string): FsAccessError {
  return new FsAccessError(ErrorCode.InvalidParams, `path is outside the workspace: ${path}`);
}

async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** The lexical absolute path of a request path (relative paths are taken from the workspace). */
function lexical(workspace: string, path: string): string {
  if (typeof path !== "string" || path === "" || path.includes("\0")) {
    throw new FsAccessError(ErrorCode.InvalidParams, "path is required");
  }
  const abs = resolve(workspace, path);
  if (!isInside(workspace, abs)) throw outside(path);
  return abs;
}

/** Real path of an existing file inside `workspace` (itself a real path). */
export async function resolveForRead(workspace: string, path: string): Promise<string> {
  const abs = lexical(workspace, path);
  let real: string;
  try {
    real = await Deno.realPath(abs);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new FsAccessError(RESOURCE_NOT_FOUND, `file not found: ${path}`);
    }
    throw err;
  }
  if (!isInside(workspace, real)) throw outside(path);
  return real;
}

/**
 * Real path to write for `path`: an existing file (or a symlink to one) must resolve inside
 * the workspace; for a new file, the nearest existing ancestor must.
 */
export async function resolveForWrite(workspace: string, path: string): Promise<string> {
  const abs = lexical(workspace, path);
  const st = await lstatOrUndefined(abs);
  if (st) {
    let real: string;
    try {
      real = await Deno.realPath(abs);
    } catch {
      // A dangling symlink would create its target wherever it points.
      throw outside(path);
    }
    if (!isInside(workspace, real)) throw outside(path);
    return real;
  }
  let ancestor = dirname(abs);
  while (!(await lstatOrUndefined(ancestor))) {
    const up = dirname(ancestor);
    if (up === ancestor) throw outside(path);
    ancestor = up;
  }
  const realAncestor = await Deno.realPath(ancestor);
  if (!isInside(workspace, realAncestor)) throw outside(path);
  return resolve(realAncestor, relative(ancestor, abs));
}

export interface ReadTextFileParams {
  path: string;
  line?: number | null;
  limit?: number | null;
}

export interface WriteTextFileParams {
  path: string;
  content: string;
}

/** Serves the ACP fs methods for one workspace (`workspace` must be a real path). */
export class FsService {
  constructor(readonly workspace: string) {}

  async readTextFile(params: ReadTextFileParams): Promise<{ content: string }> {
    const real = await resolveForRead(this.workspace, params.path);
    const st = await Deno.stat(real);
    if (!st.isFile) {
      throw new FsAccessError(ErrorCode.InvalidParams, `not a file: ${params.path}`);
    }
    const text = await Deno.readTextFile(real);
    return { content: sliceLines(text, params.line, params.limit) };
  }

  async writeTextFile(params: WriteTextFileParams): Promise<Record<string, never>> {
    if (typeof params.content !== "string") {
      throw new FsAccessError(ErrorCode.InvalidParams, "content must be a string");
    }
    const real = await resolveForWrite(this.workspace, params.path);
    await Deno.mkdir(dirname(real), { recursive: true });
    // The directories just made are below a checked real ancestor; check the leaf's parent
    // again in case something was swapped in meanwhile.
    if (!isInside(this.workspace, await Deno.realPath(dirname(real)))) throw outside(params.path);
    await Deno.writeTextFile(real, params.content);
    return {};
  }
}
