import assert from "node:assert/strict";
import type { AgentRun, SendParams, Workspace } from "../../specs/ari.ts";
import { errorCode } from "../../specs/errors.ts";
import { meshHandlers } from "./mesh_handlers.ts";

const run = (workspace: string, name: string): AgentRun => ({
  kind: "AgentRun",
  metadata: { workspace, name },
  spec: { agent: "t" },
  status: { phase: "idle" },
});

function fixture() {
  const runs = [run("ws", "alice"), run("ws", "bob"), run("other", "eve")];
  const sent: SendParams[] = [];
  const handlers = meshHandlers({ workspace: "ws", name: "alice" }, {
    getWorkspace: (name) =>
      Promise.resolve(
        name === "ws"
          ? {
            kind: "Workspace",
            metadata: { name },
            spec: { source: { type: "emptyDir" } },
            status: { phase: "ready", path: "/w" },
          } satisfies Workspace
          : undefined,
      ),
    getRun: (k) =>
      Promise.resolve(
        runs.find((r) => r.metadata.workspace === k.workspace && r.metadata.name === k.name),
      ),
    listRuns: (ws) => Promise.resolve(runs.filter((r) => r.metadata.workspace === ws)),
    deliverSend: (p) => {
      sent.push(p);
      return Promise.resolve({ delivered: true });
    },
  });
  return { handlers, sent };
}

const codeOf = (p: Promise<unknown>) => p.then(() => undefined, (err) => errorCode(err));
const text = [{ type: "text", text: "hi" }];

Deno.test("mesh/send: the sender and workspace are the endpoint's, whatever is claimed", async () => {
  const { handlers, sent } = fixture();
  await handlers["mesh/send"]({ to: "bob", message: text, from: "bob", workspace: "other" });
  assert.deepEqual(sent, [{ workspace: "ws", from: "alice", to: "bob", message: text }]);
});

Deno.test("mesh/send: runs of other workspaces, bad names and bad params are -32602", async () => {
  const { handlers, sent } = fixture();
  for (
    const params of [{ to: "eve", message: text }, { to: "other/eve", message: text }, {
      to: "bob",
      message: [],
    }, {}]
  ) {
    assert.equal(await codeOf(handlers["mesh/send"](params)), -32602, JSON.stringify(params));
  }
  assert.deepEqual(sent, []);
});

Deno.test("mesh/status: the endpoint's workspace and its runs only", async () => {
  const { handlers } = fixture();
  assert.deepEqual(await handlers["mesh/status"]({ workspace: "other" }), {
    self: "alice",
    workspace: { name: "ws", phase: "ready", path: "/w" },
    members: [
      { name: "alice", agent: "t", phase: "idle" },
      { name: "bob", agent: "t", phase: "idle" },
    ],
  });
});
