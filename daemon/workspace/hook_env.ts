/**
 * The base environment of a workspace hook. Hooks do not inherit agentd's environment (which
 * may hold provider keys and tokens): they get these basics, then what each hook names.
 *
 * @module
 */

/** agentd's variables a hook gets by default. */
export const HOOK_ENV_BASICS: readonly string[] = ["PATH", "HOME", "LANG"];

/**
 * PATH, HOME and LANG from agentd's environment `host`, plus `MASS_WORKSPACE` (the
 * workspace's real path).
 *
 * @example
 * ```ts
 * hookEnv("/src/app", { PATH: "/bin", SECRET: "x" }); // { PATH: "/bin", MASS_WORKSPACE: "/src/app" }
 * ```
 */
export function hookEnv(
  workspacePath: string,
  host: Record<string, string> = Deno.env.toObject(),
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of HOOK_ENV_BASICS) if (host[name] !== undefined) env[name] = host[name];
  env.MASS_WORKSPACE = workspacePath;
  return env;
}
