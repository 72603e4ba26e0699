/**
 * `mass mesh-mcp` end to end: a real daemon with real agent-runs (the built-in demo agent and
 * the scriptable test agent), and the mesh server as a real subprocess started from the very
 * entry agentd injects, spoken to over MCP with the SDK's stdio client.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { AriClient } from "../../ctl/client/ari_client.ts";
import { meshMcpServerEntry } from "../../specs/mesh.ts";
import { type Daemon, startDaemon } from "../../daemon/main.ts";
import { SUBCOMMANDS } from "../../mass.ts";
import { until } from "../support/wait.ts";
import { setupTestAgent, tempRoot } from "../daemon/ari_helpers.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DENO_CONFIG = here("../../deno.json");
/** mass.ts once it carries `mesh-mcp`; until then a launcher with the same argv. */
const MASS_ENTRY = "mesh-mcp" in SUBCOMMANDS ? here("../../mass.ts") : here("./mesh_launcher.ts");

interface Mesh {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

/** Starts the mesh for `agent` exactly as an ACP agent would from the injected entry. */
async function startMesh(socketPath: string, agent: string): Promise<Mesh> {
  const entry = meshMcpServerEntry({
    socketPath,
    workspace: "w",
    agentName: agent,
    denoPath: Deno.execPath(),
    massEntry: MASS_ENTRY,
    denoConfig: DENO_CONFIG,
    logLevel: "debug",
  });
  const transport = new StdioClientTransport({
    command: entry.command!,
    args: entry.args,
    env: Deno.env.toObject(),
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
  const client = new Client({ name: "mesh-test", version: "0.0.0" });
  const errors: Error[] = [];
  client.onerror = (e) => errors.push(e);
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    async close() {
      await client.close();
      // Anything but JSON-RPC on the server's stdout shows up here.
      assert.deepEqual(errors.map(String), []);
    },
  };
}

function textOf(res: unknown): string {
  const r = res as CallToolResult;
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("");
}

async function call(mesh: Mesh, name: string, args: Record<string, unknown> = {}) {
  const res = await mesh.client.callTool({ name, arguments: args }) as CallToolResult;
  return { text: textOf(res), isError: res.isError === true };
}

/** Reads `name`'s events from seq 0 until their payloads mention every needle (bounded). */
async function waitForEventText(c: AriClient, name: string, ...needles: string[]): Promise<string> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000);
  let all = "";
  let count = 0;
  try {
    for await (const ev of c.watch({ workspace: "w", name, fromSeq: 0, signal: abort.signal })) {
      all += JSON.stringify(ev.payload) + "\n";
      count++;
      if (needles.every((n) => all.includes(n))) return all;
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  const run = await c.agentrunGet({ workspace: "w", name }).catch(() => undefined);
  throw new Error(
    `events of ${name} do not mention ${needles.join(", ")} (${count} events; status ${
      JSON.stringify(run?.status)
    }):\n${all}`,
  );
}

async function phaseOf(c: AriClient, name: string): Promise<string> {
  return (await c.agentrunGet({ workspace: "w", name })).status.phase;
}

function waitPhase(c: AriClient, name: string, phase: string): Promise<true> {
  return until(
    `${name} ${phase}`,
    async () => (await phaseOf(c, name)) === phase || undefined,
    60_000,
  );
}

Deno.test({
  name: "mesh-mcp: status, send (delivered, queued, refused), and agentd restarts",
  async fn(t) {
    const root = await tempRoot();
    let daemon: Daemon = await startDaemon({ root, runs: undefined });
    let ari = await AriClient.connect(daemon.paths.socket, { requestTimeoutMs: 20_000 });
    const meshes: Mesh[] = [];
    const runs = ["alice", "bob", "carol"];
    try {
      await daemon.recovered;
      const wsPath = (await setupTestAgent(ari)).status.path!;
      await ari.agentrunCreate({
        metadata: { workspace: "w", name: "alice" },
        spec: { agent: "demo" },
      });
      await ari.agentrunCreate({
        metadata: { workspace: "w", name: "bob" },
        spec: { agent: "demo" },
      });
      await ari.agentrunCreate({
        metadata: { workspace: "w", name: "carol" },
        spec: { agent: "t" },
      });
      for (const name of runs) await waitPhase(ari, name, "idle");

      const mesh = await startMesh(daemon.paths.socket, "alice");
      meshes.push(mesh);

      await t.step("identity and tools", async () => {
        assert.deepEqual(mesh.client.getServerVersion(), {
          name: "workspace-mesh",
          version: "0.1.0",
        });
        const { tools } = await mesh.client.listTools();
        assert.deepEqual(tools.map((x) => x.name).sort(), ["agentrun_send", "agentrun_status"]);
        const send = tools.find((x) => x.name === "agentrun_send")!;
        assert.deepEqual(Object.keys(send.inputSchema.properties ?? {}).sort(), [
          "message",
          "needsReply",
          "targetAgent",
        ]);
        assert.deepEqual([...(send.inputSchema.required ?? [])].sort(), ["message", "targetAgent"]);
      });

      await t.step("agentrun_status lists the workspace and its members", async () => {
        const res = await call(mesh, "agentrun_status");
        assert.equal(res.isError, false);
        assert.equal(
          res.text,
          [
            "Workspace: w (phase: ready)",
            `Path: ${wsPath}`,
            "Members (3):",
            "  - alice [demo] state: idle",
            "  - bob [demo] state: idle",
            "  - carol [t] state: idle",
          ].join("\n"),
        );
      });

      await t.step(
        "agentrun_send to an idle agent is delivered from the mesh's agent",
        async () => {
          const res = await call(mesh, "agentrun_send", {
            targetAgent: "bob",
            message: "hello-from-alice",
            needsReply: true,
          });
          assert.deepEqual(res, {
            text: "Message delivered to bob. The target agent will process it asynchronously.",
            isError: false,
          });
          // The envelope names alice as the sender and carries needsReply.
          await waitForEventText(
            ari,
            "bob",
            "hello-from-alice",
            `from=\\"alice\\" reply-to=\\"alice\\" reply-requested=\\"true\\"`,
          );
          await waitPhase(ari, "bob", "idle");
        },
      );

      await t.step("agentrun_send to a busy agent is queued, then delivered", async () => {
        await ari.agentrunPrompt({
          workspace: "w",
          name: "carol",
          prompt: [{ type: "text", text: "hang" }],
        });
        assert.equal(await phaseOf(ari, "carol"), "running");
        const res = await call(mesh, "agentrun_send", {
          targetAgent: "carol",
          message: "say queued-for-carol",
        });
        assert.deepEqual(res, {
          text: "carol is busy; the message is queued and will be delivered when it is idle.",
          isError: false,
        });
        // Cancel only once the agent has the prompt: a cancel sent right after
        // agentrun/prompt can overtake it and be lost (a runner race, not the mesh's).
        await waitForEventText(ari, "carol", `"reason":"prompt-started"`);
        await ari.agentrunCancel({ workspace: "w", name: "carol" });
        await waitForEventText(ari, "carol", "queued-for-carol");
        await waitPhase(ari, "carol", "idle");
      });

      await t.step("errors are tool errors, not crashes", async () => {
        const unknown = await call(mesh, "agentrun_send", { targetAgent: "nobody", message: "x" });
        assert.equal(unknown.isError, true);
        assert.match(unknown.text, /^workspace\/send failed: .*nobody/);

        const hostile = await call(mesh, "agentrun_send", {
          targetAgent: "../../etc",
          message: "x",
        });
        assert.equal(hostile.isError, true);
        assert.match(hostile.text, /^workspace\/send failed: /);

        const missing = await call(mesh, "agentrun_send", { targetAgent: "bob" });
        assert.equal(missing.isError, true);
        assert.match(missing.text, /message/);

        // The server is still fine afterwards.
        assert.equal((await call(mesh, "agentrun_status")).isError, false);
      });

      await t.step("a mesh speaking for a non-member cannot send", async () => {
        const ghost = await startMesh(daemon.paths.socket, "ghost");
        meshes.push(ghost);
        const res = await call(ghost, "agentrun_send", { targetAgent: "bob", message: "boo" });
        assert.equal(res.isError, true);
        assert.match(res.text, /^workspace\/send failed: .*ghost/);
      });

      await t.step("agentd restart: the same mesh process reconnects", async () => {
        ari.close();
        await daemon.close();
        daemon = await startDaemon({ root, runs: undefined });
        await daemon.recovered;
        ari = await AriClient.connect(daemon.paths.socket, { requestTimeoutMs: 20_000 });
        for (const name of runs) await waitPhase(ari, name, "idle");

        const status = await call(mesh, "agentrun_status");
        assert.equal(status.isError, false, status.text);
        assert.match(status.text, /Members \(3\):/);
        const sent = await call(mesh, "agentrun_send", {
          targetAgent: "bob",
          message: "after-restart",
        });
        assert.equal(sent.isError, false, sent.text);
        assert.match(sent.text, /^Message delivered to bob\./);
        await waitForEventText(ari, "bob", "after-restart");
        assert.match(mesh.stderr(), /connected to agentd/, "logs go to stderr");
      });
    } finally {
      for (const m of meshes) await m.close().catch(() => {});
      for (const name of runs) await ari.agentrunStop({ workspace: "w", name }).catch(() => {});
      ari.close();
      await daemon.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test("mesh-mcp: exits when its stdin closes, and writes only MCP to stdout", async () => {
  const root = await tempRoot();
  const entry = meshMcpServerEntry({
    socketPath: `${root}/mass.sock`,
    workspace: "w",
    agentName: "alice",
    denoPath: Deno.execPath(),
    massEntry: MASS_ENTRY,
    denoConfig: DENO_CONFIG,
    logLevel: "debug",
  });
  const child = new Deno.Command(entry.command!, {
    args: entry.args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "raw", version: "0" },
        },
      }) + "\n",
    ));
    await w.close();
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(out.signal, null);
    const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l);
    assert.equal(lines.length, 1);
    const reply = JSON.parse(lines[0]);
    assert.equal(reply.id, 1);
    assert.deepEqual(reply.result.serverInfo, { name: "workspace-mesh", version: "0.1.0" });
    assert.match(new TextDecoder().decode(out.stderr), /workspace-mesh serving/);
  } finally {
    clearTimeout(timer);
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("mesh-mcp: bad flags fail fast with a message on stderr", async () => {
  const entry = meshMcpServerEntry({
    socketPath: "/tmp/mass.sock",
    workspace: "../up",
    agentName: "alice",
    denoPath: Deno.execPath(),
    massEntry: MASS_ENTRY,
    denoConfig: DENO_CONFIG,
  });
  const out = await new Deno.Command(entry.command!, {
    args: entry.args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.equal(out.stdout.length, 0);
  assert.match(new TextDecoder().decode(out.stderr), /--workspace: invalid name/);
});
