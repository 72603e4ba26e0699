/**
 * `massctl agentrun permissions|approve|deny`: the permission requests of a run under
 * policy `ask` (specs/ari.md: agentrun/permissions, agentrun/respond_permission).
 */
import type { Command } from "@commander-js/extra-typings";
import type { RunKey } from "../../../specs/ari.ts";
import type { PendingPermission } from "../../../specs/events.ts";
import type { App } from "../app.ts";
import type { AriClient } from "../../client/ari_client.ts";
import { CliError } from "../errors.ts";
import {
  approveOption,
  denyChoice,
  type PermissionChoice,
} from "../../client/permission_choice.ts";
import { permissionLabel, permissionTable, pickRequest } from "../permissions.ts";
import { outputOption, printObjects } from "./common.ts";

const WS_HELP = "workspace of the agent run";
const REQUEST_HELP = "the request to answer (default: the oldest pending)";

/** The request a command means, or a CliError saying why there is none. */
async function findRequest(
  client: AriClient,
  key: RunKey,
  requestId?: string,
): Promise<PendingPermission> {
  const { items } = await client.agentrunPermissions(key);
  const item = pickRequest(items, requestId);
  if (item) return item;
  const run = `${key.workspace}/${key.name}`;
  throw new CliError(
    requestId === undefined
      ? `agent ${run} has no pending permission requests`
      : `agent ${run} has no pending permission request ${requestId}` +
        (items.length > 0 ? ` (pending: ${items.map((i) => i.requestId).join(", ")})` : ""),
  );
}

async function answer(
  app: App,
  client: AriClient,
  key: RunKey,
  item: PendingPermission,
  choice: PermissionChoice,
  verb: string,
): Promise<void> {
  const res = await client.agentrunRespondPermission({
    ...key,
    requestId: item.requestId,
    ...choice,
  });
  const how = res.outcome === "selected" ? res.optionId : "cancelled";
  app.line(
    `permission ${item.requestId} of ${key.workspace}/${key.name} ${verb} (${how}): ` +
      permissionLabel(item),
  );
}

/** Adds `permissions`, `approve` and `deny` to `massctl agentrun`. */
export function addPermissionCommands(ar: Command, app: App): void {
  ar.command("permissions")
    .description("list the run's permission requests waiting for an answer (policy ask)")
    .argument("<name>", "agent run name")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .addOption(outputOption())
    .action(async (name, opts) => {
      const client = await app.client();
      const { items } = await client.agentrunPermissions({ workspace: opts.workspace, name });
      await printObjects(app, items, permissionTable, opts.output, false);
    });

  ar.command("approve")
    .description("allow a pending permission request (allow_once, else allow_always)")
    .argument("<name>", "agent run name")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .option("--request <id>", REQUEST_HELP)
    .option("--option <id>", "answer with this option instead")
    .option("--always", "prefer allow_always")
    .action(async (name, opts) => {
      const client = await app.client();
      const key = { workspace: opts.workspace, name };
      const item = await findRequest(client, key, opts.request);
      const optionId = opts.option ?? approveOption(item, opts.always === true)?.optionId;
      if (optionId === undefined) {
        throw new CliError(
          `permission request ${item.requestId} offers no allow option ` +
            `(options: ${item.options.map((o) => o.optionId).join(", ") || "none"}); ` +
            `choose one with --option`,
        );
      }
      await answer(app, client, key, item, { optionId }, "approved");
    });

  ar.command("deny")
    .description("reject a pending permission request (reject_once, else reject_always)")
    .argument("<name>", "agent run name")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .option("--request <id>", REQUEST_HELP)
    .action(async (name, opts) => {
      const client = await app.client();
      const key = { workspace: opts.workspace, name };
      const item = await findRequest(client, key, opts.request);
      await answer(app, client, key, item, denyChoice(item), "denied");
    });
}
