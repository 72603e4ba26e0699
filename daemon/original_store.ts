/**
 * The original mass kept its state in `<root>/mass.db` (bbolt); agentd keeps it in
 * `<root>/mass.kv` and cannot read bbolt. A user upgrading on the same root is told, once
 * per start, how to carry the agent definitions over.
 */
import { join } from "node:path";

/**
 * A one-line notice when `root` holds the original's store, else undefined.
 *
 * @example
 * ```ts
 * const notice = await originalStoreNotice("/home/me/.mass");
 * if (notice) console.error(notice);
 * ```
 */
export async function originalStoreNotice(root: string): Promise<string | undefined> {
  const db = join(root, "mass.db");
  try {
    if (!(await Deno.stat(db)).isFile) return undefined;
  } catch {
    return undefined;
  }
  return `mass server: found the original mass store ${db}, which this mass does not read; ` +
    `carry each agent over with the original massctl: ` +
    `massctl agent get NAME -o yaml > NAME.yaml, then here: massctl agent apply -f NAME.yaml`;
}
