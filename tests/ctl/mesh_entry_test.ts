/**
 * The pure parts of the workspace mesh: the MCP server entry agentd injects, the tool
 * answers, the flag checks and the logger.
 */
import assert from "node:assert/strict";
import { meshFlagsProblem } from "../../runner/mesh/mesh_cli.ts";
import { meshMcpServerEntry } from "../../specs/mesh.ts";
import { meshTextLogger } from "../../runner/mesh/mesh_log.ts";
import { parseLogLevel } from "../../specs/lib/log_level.ts";
import { sendResultText, statusText } from "../../runner/mesh/mesh_mcp.ts";
import type { AgentRun, Workspace } from "../../specs/ari.ts";
import { McpServerSchema } from "../../specs/runtime.ts";

const base = {
  socketPath: "/r/mass.sock",
  workspace: "w",
  agentName: "alice",
  denoPath: "/bin/deno",
  massEntry: "/src/mass/mass.ts",
};

Deno.test("entry: a stdio server named workspace-mesh running mass mesh-mcp for the run", () => {
  const entry = meshMcpServerEntry(base);
  assert.deepEqual(entry, {
    type: "stdio",
    name: "workspace-mesh",
    command: "/bin/deno",
    args: [
      "run",
      "-A",
      "--config=/src/mass/deno.json",
      "/src/mass/mass.ts",
      "mesh-mcp",
      "--socket",
      "/r/mass.sock",
      "--workspace",
      "w",
      "--agent",
      "alice",
    ],
    env: [],
  });
  // It is a valid config.json entry as it stands.
  assert.deepEqual(McpServerSchema.parse(entry), entry);
});

Deno.test("entry: explicit config, no config, and forwarded log flags", () => {
  const explicit = meshMcpServerEntry({ ...base, denoConfig: "/etc/mass/deno.json" });
  assert.equal(explicit.args[2], "--config=/etc/mass/deno.json");

  const none = meshMcpServerEntry({ ...base, denoConfig: null });
  assert.deepEqual(none.args.slice(0, 4), ["run", "-A", "/src/mass/mass.ts", "mesh-mcp"]);
  assert.ok(!none.args.some((a) => a.startsWith("--config")));

  const logged = meshMcpServerEntry({ ...base, logLevel: "debug", logDir: "/r/runs/w/alice" });
  assert.deepEqual(logged.args.slice(-4), [
    "--log-level",
    "debug",
    "--log-path",
    "/r/runs/w/alice",
  ]);
});

Deno.test("entry: names with spaces or dashes stay single arguments", () => {
  const entry = meshMcpServerEntry({ ...base, socketPath: "/tmp/a b/mass.sock", agentName: "-x" });
  const at = entry.args.indexOf("--socket");
  assert.equal(entry.args[at + 1], "/tmp/a b/mass.sock");
  assert.equal(entry.args[entry.args.indexOf("--agent") + 1], "-x");
});

Deno.test("send answer: delivered, queued, neither", () => {
  assert.equal(
    sendResultText("bob", { delivered: true }),
    "Message delivered to bob. The target agent will process it asynchronously.",
  );
  assert.equal(
    sendResultText("bob", { delivered: false, queued: true }),
    "bob is busy; the message is queued and will be delivered when it is idle.",
  );
  assert.match(sendResultText("bob", { delivered: false }), /neither delivered nor queued/);
});

function ws(phase: Workspace["status"]["phase"], path?: string): Workspace {
  return {
    kind: "Workspace",
    metadata: { name: "w" },
    spec: { source: { type: "emptyDir" } },
    status: { phase, ...(path ? { path } : {}) },
  };
}

function run(name: string, agent: string, phase: AgentRun["status"]["phase"]): AgentRun {
  return {
    kind: "AgentRun",
    metadata: { name, workspace: "w" },
    spec: { agent },
    status: { phase },
  };
}

Deno.test("status answer: workspace, path and members sorted by name", () => {
  const text = statusText(ws("ready", "/r/workspaces/w"), [
    run("zed", "demo", "running"),
    run("alice", "claude", "idle"),
  ]);
  assert.equal(
    text,
    [
      "Workspace: w (phase: ready)",
      "Path: /r/workspaces/w",
      "Members (2):",
      "  - alice [claude] state: idle",
      "  - zed [demo] state: running",
    ].join("\n"),
  );
});

Deno.test("status answer: no path, no members", () => {
  assert.equal(
    statusText(ws("pending"), []),
    "Workspace: w (phase: pending)\nPath: (unknown)\nMembers (0):",
  );
});

Deno.test("flags: names and socket path are checked before anything is dialled", () => {
  const ok = { socket: "/r/mass.sock", workspace: "w", agent: "alice" };
  assert.equal(meshFlagsProblem(ok), undefined);
  assert.match(meshFlagsProblem({ ...ok, workspace: "../etc" }) ?? "", /^--workspace: /);
  assert.match(meshFlagsProblem({ ...ok, agent: "" }) ?? "", /^--agent: /);
  assert.match(
    meshFlagsProblem({ ...ok, socket: "/" + "s".repeat(200) }) ?? "",
    /^--socket: socket path too long/,
  );
});

Deno.test("logger: level filter, unknown level is info, props in the line", () => {
  assert.equal(parseLogLevel("nonsense"), "info");
  assert.equal(parseLogLevel("debug"), "debug");
  const lines: string[] = [];
  const log = meshTextLogger((l) => lines.push(l), "warn");
  log.info("hidden");
  log.warn("shown", { to: "bob" });
  log.error("also shown");
  assert.equal(lines.length, 2);
  assert.match(lines[0], /shown \{"to":"bob"\}/);
  assert.match(lines[1], /also shown/);
});

Deno.test("logger: a failing sink does not throw", () => {
  const log = meshTextLogger(() => {
    throw new Error("disk full");
  });
  log.error("still fine");
});
