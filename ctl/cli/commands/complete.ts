/**
 * `massctl __complete workspaces|agents|runs [-w WS]`: the names shell completion offers,
 * one per line, asked from the daemon. Hidden; quiet (nothing, exit 0) when the daemon does
 * not answer quickly, so a TAB never prints an error or hangs.
 */
import { Argument, Command } from "@commander-js/extra-typings";
import { withTimeout } from "../../../specs/lib/with_timeout.ts";
import type { App } from "../app.ts";
import { NAME_KINDS, type NameKind } from "../completion_types.ts";

/** How long a TAB may wait for the daemon. */
const COMPLETE_TIMEOUT_MS = 2_000;

/** The hidden `__complete` command. */
export function completeCommand(app: App) {
  return new Command("__complete")
    .description("names for shell completion")
    .addArgument(new Argument("<kind>", NAME_KINDS.join(", ")).choices(NAME_KINDS))
    .option("-w, --workspace <name>", "runs of this workspace only")
    .action(async (kind, opts) => {
      const names = await withTimeout(
        listNames(app, kind, opts.workspace).catch(() => []),
        COMPLETE_TIMEOUT_MS,
      );
      if (names?.length) app.out(names.join("\n") + "\n");
    });
}

async function listNames(app: App, kind: NameKind, workspace?: string): Promise<string[]> {
  const client = await app.client();
  switch (kind) {
    case "workspaces":
      return (await client.workspaceList()).items.map((w) => w.metadata.name);
    case "agents":
      return (await client.agentList()).items.map((a) => a.metadata.name);
    case "runs": {
      const fieldSelector: Record<string, string> = workspace ? { workspace } : {};
      return (await client.agentrunList({ fieldSelector })).items
        .filter((r) => !workspace || r.metadata.workspace === workspace)
        .map((r) => r.metadata.name);
    }
  }
}
