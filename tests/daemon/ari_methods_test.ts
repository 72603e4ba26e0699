/**
 * The ARI table drives dispatch and the recovery gate: a method without a handler or a
 * handler for an unknown method stops the start, and the gate covers exactly the methods
 * that change state.
 */
import assert from "node:assert/strict";
import { resolveHandlers } from "../../daemon/ari/server.ts";
import type { AriHandlers } from "../../daemon/context.ts";
import {
  ARI_METHOD_NAMES,
  ARI_NOTIFICATIONS,
  AriMethods,
  isMutating,
} from "../../specs/ari_methods.ts";

function allHandlers(): AriHandlers {
  return Object.fromEntries(ARI_METHOD_NAMES.map((m) => [m, () => null])) as AriHandlers;
}

Deno.test("resolveHandlers: every table method needs a handler, no handler without a method", () => {
  assert.equal(resolveHandlers([allHandlers()]).size, ARI_METHOD_NAMES.length);

  const { "agentrun/stop": _stop, ...missing } = allHandlers();
  assert.throws(() => resolveHandlers([missing]), /without a handler: agentrun\/stop/);

  const extra = { ...allHandlers(), "agentrun/nope": () => null } as AriHandlers;
  assert.throws(() => resolveHandlers([extra]), /unknown method agentrun\/nope/);
});

Deno.test("recovery gate: the mutating methods of the table", () => {
  const gated = ARI_METHOD_NAMES.filter(isMutating).sort();
  assert.deepEqual(gated, [
    "agent/create",
    "agent/delete",
    "agent/update",
    "agentrun/cancel",
    "agentrun/create",
    "agentrun/delete",
    "agentrun/merge",
    "agentrun/prompt",
    "agentrun/respond_permission",
    "agentrun/restart",
    "agentrun/set_config_option",
    "agentrun/set_mode",
    "agentrun/set_model",
    "agentrun/stop",
    "agentrun/task/do",
    "agentrun/task/retry",
    "workspace/create",
    "workspace/delete",
    "workspace/send",
  ]);
});

Deno.test("AriMethods short names all name table methods or notifications", () => {
  const notifications = Object.values(ARI_NOTIFICATIONS);
  const names = new Set<string>([...ARI_METHOD_NAMES, ...notifications]);
  for (const wire of Object.values(AriMethods)) assert.ok(names.has(wire), wire);
  assert.equal(
    new Set(Object.values(AriMethods)).size,
    ARI_METHOD_NAMES.length + notifications.length,
  );
});
