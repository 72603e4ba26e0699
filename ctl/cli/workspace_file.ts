/**
 * `ws create -f FILE`: the shape `ws get NAME -o yaml` prints, with `empty` and relative
 * paths allowed. Loaded only by that command (it needs zod and yaml).
 */
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { ObjectMetaSchema, WorkspaceSpecSchema } from "../../specs/ari.ts";
import { ComposeSourceSchema } from "../../specs/compose.ts";
import type { WorkspaceInput } from "../client/ari_client.ts";
import { normalizeSource } from "./compose.ts";
import { parseYamlWith, readInputFile } from "./yaml_file.ts";

const WorkspaceFileSchema = z.object({
  kind: z.literal("Workspace").optional(),
  metadata: ObjectMetaSchema,
  spec: WorkspaceSpecSchema.extend({ source: ComposeSourceSchema }),
});

/**
 * Reads and validates a Workspace file (`-` = stdin); a local path is made absolute against
 * the file's directory (stdin: `cwd`).
 *
 * @example
 * ```ts
 * const input = await readWorkspaceFile("ws.yaml", Deno.cwd());
 * ```
 */
export async function readWorkspaceFile(file: string, cwd: string): Promise<WorkspaceInput> {
  const text = await readInputFile(file);
  const parsed = parseYamlWith(WorkspaceFileSchema, text, file === "-" ? "stdin" : file);
  const baseDir = file === "-" ? cwd : dirname(resolve(cwd, file));
  return {
    metadata: parsed.metadata,
    spec: { ...parsed.spec, source: normalizeSource(parsed.spec.source, baseDir) },
  };
}
