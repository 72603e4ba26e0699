/**
 * Validation problems as one line, fit for stderr or an RPC error message.
 *
 * @module
 */

/**
 * One line naming the first three problems, each with its field path: `a.b: msg; c: msg`.
 * Takes zod's issues (or anything shaped like them), so it imports no zod.
 *
 * @example
 * ```ts
 * import { describeZodIssues } from "./describe_zod_issues.ts";
 * describeZodIssues([{ path: ["process", "env", 0], message: "env entries are K=V" }]);
 * // "process.env.0: env entries are K=V"
 * ```
 */
export function describeZodIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues.slice(0, 3).map((i) => {
    const at = i.path.map(String).join(".");
    return at ? `${at}: ${i.message}` : i.message;
  }).join("; ");
}
