/**
 * YAML output (`-o yaml`). Its own module so that commands import the yaml package only when
 * they print YAML (loaded with a dynamic import).
 */
import { stringify } from "yaml";

/**
 * `value` as YAML, lines never folded.
 *
 * @example
 * ```ts
 * toYaml({ kind: "List", items: [] }); // "kind: List\nitems: []\n"
 * ```
 */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}
