import assert from "node:assert/strict";
import { matchesSelector } from "../../daemon/store/mod.ts";
import { ErrorCode, errorCode } from "../../specs/errors.ts";
import type { Agent, AgentRun, Workspace } from "../../specs/ari.ts";
import { EMPTY, withStore } from "./store_helpers.ts";

const run: AgentRun = {
  kind: "AgentRun",
  metadata: { name: "r", workspace: "w", labels: { role: "coder", tier: "1" } },
  spec: { agent: "demo" },
  status: { phase: "idle" },
};
const ws: Workspace = {
  kind: "Workspace",
  metadata: { name: "w" },
  spec: { source: { type: "git", url: "file:///x" } },
  status: { phase: "ready" },
};
const agent: Agent = { kind: "Agent", metadata: { name: "a" }, spec: { command: "c" } };

Deno.test("selectors: labels must all be present and equal", () => {
  assert.equal(matchesSelector(run, undefined), true);
  assert.equal(matchesSelector(run, { labels: {} }), true);
  assert.equal(matchesSelector(run, { labels: { role: "coder" } }), true);
  assert.equal(matchesSelector(run, { labels: { role: "coder", tier: "1" } }), true);
  assert.equal(matchesSelector(run, { labels: { role: "coder", tier: "2" } }), false);
  assert.equal(matchesSelector(run, { labels: { missing: "" } }), false);
  assert.equal(matchesSelector(ws, { labels: { role: "coder" } }), false, "no labels at all");
  assert.equal(matchesSelector(run, { labels: { toString: "x" } }), false, "no prototype keys");
});

Deno.test("selectors: field selectors per kind", () => {
  assert.equal(matchesSelector(run, { fieldSelector: { phase: "idle" } }), true);
  assert.equal(matchesSelector(run, { fieldSelector: { "status.phase": "running" } }), false);
  assert.equal(matchesSelector(run, { fieldSelector: { workspace: "w", agent: "demo" } }), true);
  assert.equal(matchesSelector(run, { fieldSelector: { workspace: "v" } }), false);
  assert.equal(matchesSelector(ws, { fieldSelector: { phase: "ready", name: "w" } }), true);
  assert.equal(matchesSelector(ws, { fieldSelector: { "source.type": "git" } }), true);
  assert.equal(matchesSelector(agent, { fieldSelector: { disabled: "false" } }), true);
  assert.equal(
    matchesSelector(agent, { fieldSelector: { name: "a" }, labels: { x: "y" } }),
    false,
    "labels and fields combine with AND",
  );
});

Deno.test("selectors: an unknown field is -32602, not silently ignored", () => {
  assert.throws(
    () => matchesSelector(agent, { fieldSelector: { phase: "idle" } }),
    (e: unknown) => errorCode(e) === ErrorCode.InvalidParams,
  );
  assert.throws(
    () => matchesSelector(run, { fieldSelector: { "spec.command": "x" } }),
    (e: unknown) => errorCode(e) === ErrorCode.InvalidParams,
  );
});

Deno.test("store: list filters by labels, fields and phase", async () => {
  await withStore(async (store) => {
    for (const name of ["w1", "w2"]) {
      await store.createWorkspace({
        metadata: { name, labels: { env: name === "w1" ? "dev" : "prod" } },
        spec: EMPTY,
        status: { phase: "ready" },
      });
    }
    await store.createWorkspace({ metadata: { name: "w3" }, spec: EMPTY });
    const mk = (
      workspace: string,
      name: string,
      role: string,
      phase: AgentRun["status"]["phase"],
    ) =>
      store.createRun({
        metadata: { workspace, name, labels: { role } },
        spec: { agent: "demo" },
        status: { phase },
      });
    await mk("w1", "a", "coder", "idle");
    await mk("w1", "b", "reviewer", "running");
    await mk("w2", "a", "coder", "stopped");

    const names = (xs: { metadata: { name: string; workspace?: string } }[]) =>
      xs.map((x) =>
        x.metadata.workspace ? `${x.metadata.workspace}/${x.metadata.name}` : x.metadata.name
      );

    assert.deepEqual(names(await store.listWorkspaces({ labels: { env: "prod" } })), ["w2"]);
    assert.deepEqual(names(await store.listWorkspaces({ fieldSelector: { phase: "pending" } })), [
      "w3",
    ]);
    assert.deepEqual(names(await store.listRuns({ labels: { role: "coder" } })), ["w1/a", "w2/a"]);
    assert.deepEqual(names(await store.listRuns({ workspace: "w1", labels: { role: "coder" } })), [
      "w1/a",
    ]);
    assert.deepEqual(names(await store.listRuns({ fieldSelector: { workspace: "w2" } })), ["w2/a"]);
    assert.deepEqual(names(await store.listRuns({ phase: ["idle", "running"] })), ["w1/a", "w1/b"]);
    assert.deepEqual(names(await store.listRuns({ phase: "stopped" })), ["w2/a"]);
    assert.deepEqual(names(await store.listRuns({ fieldSelector: { phase: "running" } })), [
      "w1/b",
    ]);
    await assert.rejects(
      () => store.listAgents({ fieldSelector: { phase: "x" } }),
      (e: unknown) => errorCode(e) === ErrorCode.InvalidParams,
    );
  });
});
