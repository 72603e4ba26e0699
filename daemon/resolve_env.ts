/**
 * The environment of a process agentd starts for someone else (an agent, a workspace hook)
 * is listed, never inherited: these turn a list of {@link EnvVarSpec}s into variables.
 *
 * @module
 */
import type { EnvVarSpec } from "../specs/ari.ts";

/**
 * Resolves `vars` against agentd's environment `host`: a literal `value` as is, `valueFrom`
 * and `fromHost` from `host` (left out when unset there). Later entries win.
 *
 * @example
 * ```ts
 * resolveEnvVars(
 *   [{ name: "A", value: "1" }, { name: "KEY", valueFrom: { env: "MY_KEY" } }],
 *   { MY_KEY: "s3cret" },
 * ); // { A: "1", KEY: "s3cret" }
 * ```
 */
export function resolveEnvVars(
  vars: readonly EnvVarSpec[] | undefined,
  host: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of vars ?? []) {
    const from = v.valueFrom?.env ?? (v.fromHost ? v.name : undefined);
    const value = from === undefined ? v.value : host[from];
    if (value !== undefined) out[v.name] = value;
  }
  return out;
}
