/**
 * massctl printers: AGE, tab-aligned tables (plain and wide), JSON/YAML shapes.
 */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import type { Agent, AgentRun, Workspace } from "../../specs/ari.ts";
import {
  agentRunTable,
  agentTable,
  formatAge,
  formatBytes,
  formatLabels,
  formatWorktree,
  renderObjects,
  renderTable,
  workspaceTable,
} from "../../ctl/cli/output.ts";
import { toYaml } from "../../ctl/cli/to_yaml.ts";

const NOW = new Date("2026-01-02T00:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

Deno.test("formatAge: seconds, minutes, hours, days, unknown", () => {
  assert.equal(formatAge(ago(0), NOW), "0s");
  assert.equal(formatAge(ago(59_999), NOW), "59s");
  assert.equal(formatAge(ago(60_000), NOW), "1m");
  assert.equal(formatAge(ago(3_599_000), NOW), "59m");
  assert.equal(formatAge(ago(3_600_000), NOW), "1h");
  assert.equal(formatAge(ago(86_399_000), NOW), "23h");
  assert.equal(formatAge(ago(86_400_000), NOW), "1d");
  assert.equal(formatAge(ago(40 * 86_400_000), NOW), "40d");
  assert.equal(formatAge(undefined, NOW), "<unknown>");
  assert.equal(formatAge("not a date", NOW), "<unknown>");
  // Clock skew: a creation time in the future is not negative.
  assert.equal(formatAge(ago(-5_000), NOW), "0s");
});

Deno.test("renderTable: columns padded to widest cell + 3, last column unpadded", () => {
  const out = renderTable([["NAME", "PHASE", "AGE"], ["a", "ready", "1s"], ["longer", "x", ""]]);
  assert.equal(out, "NAME     PHASE   AGE\na        ready   1s\nlonger   x\n");
});

Deno.test("renderTable: tabs and newlines inside cells do not break the grid", () => {
  const out = renderTable([["A", "B"], ["x\ty", "1\n2"]]);
  assert.equal(out, "A     B\nx y   1 2\n");
});

const ws = (name: string, phase: Workspace["status"]["phase"], path?: string): Workspace => ({
  kind: "Workspace",
  metadata: { name, createdAt: ago(120_000) },
  spec: { source: { type: "emptyDir" } },
  status: { phase, ...(path ? { path } : {}) },
});

Deno.test("workspaceTable: NAME PHASE PATH AGE (+ SOURCE ERROR when wide)", () => {
  const items = [ws("alpha", "ready", "/w/alpha"), ws("b", "pending")];
  assert.equal(
    workspaceTable(items, false, NOW),
    "NAME    PHASE     PATH       AGE\nalpha   ready     /w/alpha   2m\nb       pending              2m\n",
  );
  const wide = workspaceTable(items, true, NOW).split("\n");
  assert.match(wide[0], /^NAME\s+PHASE\s+PATH\s+AGE\s+SOURCE\s+ERROR$/);
  assert.match(wide[1], /^alpha\s+ready\s+\/w\/alpha\s+2m\s+emptyDir$/);
});

Deno.test("agentTable: ENABLED from disabled, ARGS joined, LABELS when wide", () => {
  const a: Agent = {
    kind: "Agent",
    metadata: { name: "demo", createdAt: ago(7_200_000), labels: { team: "x", a: "b" } },
    spec: { command: "deno", args: ["run", "-A", "agent.ts"] },
  };
  const b: Agent = {
    kind: "Agent",
    metadata: { name: "off" },
    spec: { command: "codex", disabled: true },
  };
  const lines = agentTable([a, b], false, NOW).split("\n");
  assert.match(lines[0], /^NAME\s+ENABLED\s+COMMAND\s+ARGS\s+AGE$/);
  assert.match(lines[1], /^demo\s+true\s+deno\s+run -A agent\.ts\s+2h$/);
  assert.match(lines[2], /^off\s+false\s+codex\s+<none>\s+<unknown>$/);
  const wide = agentTable([a, b], true, NOW).split("\n");
  assert.match(wide[0], /AGE\s+LABELS$/);
  assert.match(wide[1], /2h\s+a=b,team=x$/);
  assert.match(wide[2], /<unknown>\s+<none>$/);
});

Deno.test("agentRunTable: WORKSPACE NAME AGENT PHASE AGE (+ PID RESTARTS PENDING LOG SANDBOX ERROR)", () => {
  const run: AgentRun = {
    kind: "AgentRun",
    metadata: { name: "r1", workspace: "w", createdAt: ago(3 * 86_400_000) },
    spec: { agent: "demo" },
    status: {
      phase: "error",
      pid: 42,
      restartCount: 2,
      eventLogBytes: 3 * 1024 ** 3 + 300 * 1024 ** 2,
      sandbox: { mode: "bwrap", network: "none" },
      errorMessage: "boom\nsecond line",
    },
  };
  const asking: AgentRun = {
    ...run,
    metadata: { ...run.metadata, name: "r2" },
    status: { phase: "running", pid: 43, pendingPermissions: 3, eventLogBytes: 20_480 },
  };
  const fresh: AgentRun = {
    ...run,
    metadata: { ...run.metadata, name: "r3" },
    status: { phase: "creating" },
  };
  const lines = agentRunTable([run], false, NOW).split("\n");
  assert.match(lines[0], /^WORKSPACE\s+NAME\s+AGENT\s+PHASE\s+AGE\s+PENDING$/);
  assert.match(lines[1], /^w\s+r1\s+demo\s+error\s+3d\s+0$/);
  const asks = agentRunTable([asking], false, NOW).split("\n");
  assert.match(asks[1], /^w\s+r2\s+demo\s+running\s+3d\s+3$/, "pending shows by default");
  const wide = agentRunTable([run, asking, fresh], true, NOW).split("\n");
  assert.match(wide[0], /AGE\s+PENDING\s+PID\s+RESTARTS\s+LOG\s+WORKTREE\s+SANDBOX\s+ERROR$/);
  assert.match(wide[1], /3d\s+0\s+42\s+2\s+3\.2GiB\s+bwrap\/none\s+boom second line$/);
  assert.match(wide[2], /^w\s+r2\s+demo\s+running\s+3d\s+3\s+43\s+0\s+20KiB$/);
  // No size known yet: the column stays empty and the others keep their place.
  const cols = wide[0].indexOf("LOG");
  assert.equal(wide[3].slice(cols).trim(), "");
  assert.match(wide[3], /^w\s+r3\s+demo\s+creating\s+3d\s+0\s+0$/);
});

Deno.test("formatBytes: B, KiB, MiB, GiB; one decimal under 10; empty when unknown", () => {
  assert.equal(formatBytes(0), "0B");
  assert.equal(formatBytes(1023), "1023B");
  assert.equal(formatBytes(1024), "1KiB");
  assert.equal(formatBytes(1536), "1.5KiB");
  assert.equal(formatBytes(64 * 1024 ** 2), "64MiB");
  assert.equal(formatBytes(1024 ** 3 - 1), "1023MiB");
  assert.equal(formatBytes(1.25 * 1024 ** 3), "1.2GiB");
  assert.equal(formatBytes(5 * 1024 ** 4), "5TiB");
  assert.equal(formatBytes(undefined), "");
  assert.equal(formatBytes(-1), "");
});

Deno.test("renderObjects: one named object bare, otherwise {kind: List, items}", () => {
  const items = [ws("a", "ready"), ws("b", "ready")];
  const one = JSON.parse(renderObjects([items[0]], workspaceTable, {
    format: "json",
    single: true,
    now: NOW,
  }));
  assert.equal(one.kind, "Workspace");
  assert.equal(one.metadata.name, "a");
  const list = JSON.parse(renderObjects(items, workspaceTable, {
    format: "json",
    single: false,
    now: NOW,
  }));
  assert.deepEqual(Object.keys(list), ["kind", "items"]);
  assert.equal(list.kind, "List");
  assert.equal(list.items.length, 2);
  // A list call that happens to return one item is still a List.
  const listOfOne = parseYaml(renderObjects([items[0]], workspaceTable, {
    format: "yaml",
    single: false,
    now: NOW,
    toYaml,
  }));
  assert.equal(listOfOne.kind, "List");
  assert.equal(listOfOne.items[0].metadata.name, "a");
  const empty = JSON.parse(renderObjects([], workspaceTable, {
    format: "json",
    single: false,
    now: NOW,
  }));
  assert.deepEqual(empty, { kind: "List", items: [] });
});

Deno.test("formatLabels: sorted k=v list or <none>", () => {
  assert.equal(formatLabels(undefined), "<none>");
  assert.equal(formatLabels({}), "<none>");
  assert.equal(formatLabels({ z: "1", a: "2" }), "a=2,z=1");
});

Deno.test("formatWorktree: branch, commits ahead and dirty; empty without a worktree", () => {
  const wt = { path: "/r/worktrees/w/a", branch: "mass/w/a", base: "abc" };
  assert.equal(formatWorktree(undefined), "");
  assert.equal(formatWorktree(wt), "mass/w/a");
  assert.equal(formatWorktree({ ...wt, ahead: 2, dirty: true }), "mass/w/a (+2, dirty)");
  assert.equal(formatWorktree({ ...wt, ahead: 0, dirty: true }), "mass/w/a (dirty)");
});
