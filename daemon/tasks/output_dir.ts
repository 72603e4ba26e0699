/**
 * A task's output directory: where it may be (inside the run's workspace or its bundle,
 * checked on real paths, like every file the agent is served) and creating it so the agent
 * finds it, with an undo for when the task cannot be sent.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { InvalidParamsError } from "../../specs/errors.ts";
import { isInside } from "../../specs/lib/is_inside.ts";
import { clip } from "../../specs/lib/clip.ts";

export interface OutputRoots {
  /** Real path of the run's workspace directory (relative outputDirs start here). */
  workspace?: string;
  /** The run's bundle directory. */
  bundle: string;
}

/** Real path of `path`: its deepest existing ancestor resolved, the rest appended. */
export async function realPathOfNearest(path: string): Promise<string> {
  let existing = path;
  const rest: string[] = [];
  while (true) {
    try {
      const real = await Deno.realPath(existing);
      return rest.length ? resolve(real, ...rest.reverse()) : real;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.push(existing.slice(parent.length).replace(/^\/+/, ""));
      existing = parent;
    }
  }
}

/**
 * The real, absolute output directory for a requested one: relative paths are taken from
 * the workspace; the result must lie in the workspace or the bundle (-32602 otherwise).
 */
export async function confineOutputDir(requested: string, roots: OutputRoots): Promise<string> {
  if (requested.includes("\0")) throw new InvalidParamsError("outputDir contains a NUL byte");
  if (!isAbsolute(requested) && !roots.workspace) {
    throw new InvalidParamsError(`outputDir ${clip(requested)}: must be absolute`);
  }
  const real = await realPathOfNearest(resolve(roots.workspace ?? "/", requested));
  const allowed = [roots.bundle, ...(roots.workspace ? [roots.workspace] : [])];
  for (const root of allowed) {
    const realRoot = await Deno.realPath(root).catch(() => undefined);
    if (realRoot && isInside(realRoot, real)) return real;
  }
  throw new InvalidParamsError(
    `outputDir ${clip(requested)}: must be inside the workspace${
      roots.workspace ? ` (${roots.workspace})` : ""
    } or the run's bundle`,
  );
}

/**
 * Creates `dir` and its missing parents; returns the topmost directory it created (undefined
 * when `dir` existed), for `removeCreated`.
 */
export async function makeDirs(dir: string): Promise<string | undefined> {
  let top: string | undefined;
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    try {
      await Deno.lstat(d);
      break;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      top = d;
    }
  }
  await Deno.mkdir(dir, { recursive: true });
  return top;
}

/** Undoes `makeDirs`: removes `dir` and its parents up to `top`, only while they are empty. */
export async function removeCreated(dir: string, top: string | undefined): Promise<void> {
  if (!top) return;
  for (let d = dir; isInside(top, d); d = dirname(d)) {
    try {
      await Deno.remove(d);
    } catch {
      return; // not empty (someone wrote there) or already gone
    }
    if (d === top) return;
  }
}
