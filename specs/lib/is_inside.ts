/**
 * Path containment, compared by path segments rather than string prefixes: the security
 * check behind every "may the agent touch this file" and "is this folder inside that one".
 *
 * @module
 */
import { isAbsolute, relative, sep } from "node:path";

/**
 * True when `target` is `root` itself or below it. Both must be absolute and normalised
 * (resolve symlinks first when the answer must hold on disk). A child whose name merely
 * starts with two dots (`..foo`) is inside; `..` and `../x` are not.
 *
 * @example
 * ```ts
 * import { isInside } from "./is_inside.ts";
 * isInside("/ws", "/ws/src/a.ts"); // true
 * isInside("/ws", "/ws/..foo"); // true
 * isInside("/ws", "/ws2/a.ts"); // false
 * ```
 */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (rel !== ".." && !rel.startsWith(".." + sep) && !isAbsolute(rel));
}
