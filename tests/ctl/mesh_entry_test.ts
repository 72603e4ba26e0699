/**
 * The pure parts of the workspace mesh: the MCP server entry agentd injects, the tool
 * answers, the flag checks and the logger.
 */
import assert from "node:assert/strict";
import { meshFlagsProblem } from "../../runner/mesh/mesh_cli.ts";
import { meshMcpServerEntry } from "../../specs/mesh.ts";
import { meshTextLogger } from "../../runner/mesh/mesh_log.ts";
import { parseLogLevel } from "../../specs/lib/log_level.ts";
import { sendResultText, statusText, waitResultText } from "../../runner/mesh/mesh_mcp.ts";
import type { MeshStatus } from "../../specs/mesh.ts";
import { McpServerSchema } from "../../specs/runtime.ts";

const base = {
  endpoint: "/r/runs/w/alice/mesh/mesh.sock",
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
      "--endpoint",
      "/r/runs/w/alice/mesh/mesh.sock",
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

Deno.test("entry: a path with spaces stays one argument; no agentd socket, no names", () => {
  const entry = meshMcpServerEntry({ ...base, endpoint: "/tmp/a b/-x/mesh/mesh.sock" });
  const at = entry.args.indexOf("--endpoint");
  assert.equal(entry.args[at + 1], "/tmp/a b/-x/mesh/mesh.sock");
  for (const flag of ["--socket", "--workspace", "--agent"]) {
    assert.ok(!entry.args.includes(flag), flag);
  }
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

function status(
  phase: string,
  path: string | undefined,
  members: [string, string, string][],
): MeshStatus {
  return {
    self: "alice",
    workspace: { name: "w", phase, ...(path ? { path } : {}) },
    members: members.map(([name, agent, phase]) => ({ name, agent, phase })),
  };
}

Deno.test("status answer: workspace, path and members sorted by name", () => {
  const text = statusText(status("ready", "/r/workspaces/w", [
    ["zed", "demo", "running"],
    ["alice", "claude", "idle"],
  ]));
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
    statusText(status("pending", undefined, [])),
    "Workspace: w (phase: pending)\nPath: (unknown)\nMembers (0):",
  );
});

Deno.test("wait answer: the reply's text, or that none came in time", () => {
  assert.equal(
    waitResultText("bob", {
      received: true,
      from: "bob",
      message: [{ type: "text", text: "done" }, { type: "text", text: "!" }],
    }),
    "Reply from bob:\ndone!",
  );
  assert.equal(waitResultText("bob", { received: false }, 5), "No reply from bob within 5 s.");
});

Deno.test("flags: the endpoint path is checked before anything is dialled", () => {
  assert.equal(meshFlagsProblem({ endpoint: "/r/runs/w/a/mesh/mesh.sock" }), undefined);
  assert.match(
    meshFlagsProblem({ endpoint: "/" + "s".repeat(200) }) ?? "",
    /^--endpoint: socket path too long/,
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
