/**
 * `deno task massctl …` runs massctl in the mass checkout, not where the user typed it; deno
 * task passes the caller's directory as `INIT_CWD`. Relative paths (`--path .`, `-f FILE`,
 * `compose run`) must mean the caller's directory.
 */

/**
 * The directory relative paths are resolved against: `INIT_CWD` when massctl runs in the
 * checkout (as `deno task` starts it), else the process's own working directory.
 *
 * @example
 * ```ts
 * const dir = callerCwd({ INIT_CWD: "/home/me/app" }.INIT_CWD, "/src/mass", "/src/mass");
 * // dir === "/home/me/app"
 * ```
 */
export function callerCwd(initCwd: string | undefined, cwd: string, checkout: string): string {
  if (!initCwd) return cwd;
  // An INIT_CWD left in the environment by some other runner must not move a massctl that
  // was started anywhere else.
  return trimSlash(cwd) === trimSlash(checkout) ? initCwd : cwd;
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}
