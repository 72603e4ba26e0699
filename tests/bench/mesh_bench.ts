/**
 * Workspace mesh: one `agentrun_status` tool call over MCP (agent → mesh → the run's endpoint
 * in agentd and back),
 * and a cold start (spawn `mass mesh-mcp`, initialize, first tool call, exit). Uses the real
 * `mass server` of ari_bench_setup.ts and the entry agentd injects.
 */
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { meshMcpServerEntry } from "../../specs/mesh.ts";
import { SUBCOMMANDS } from "../../mass.ts";
import { startBenchDaemon } from "./ari_bench_setup.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const MASS_ENTRY = "mesh-mcp" in SUBCOMMANDS
  ? here("../../mass.ts")
  : here("../ctl/mesh_launcher.ts");

const daemon = await startBenchDaemon();
globalThis.addEventListener("unload", () => daemon.killSync());

const entry = meshMcpServerEntry({
  // The run's endpoint, served by agentd in its bundle.
  endpoint: `${daemon.root}/runs/${daemon.key.workspace}/${daemon.key.name}/mesh/mesh.sock`,
  denoPath: Deno.execPath(),
  massEntry: MASS_ENTRY,
  denoConfig: here("../../deno.json"),
  logLevel: "warn",
});

async function connect(): Promise<Client> {
  const client = new Client({ name: "mesh-bench", version: "0" });
  await client.connect(
    new StdioClientTransport({
      command: entry.command!,
      args: entry.args,
      env: Deno.env.toObject(),
      stderr: "ignore",
    }),
  );
  return client;
}

const warm = await connect();
await warm.callTool({ name: "agentrun_status", arguments: {} });

Deno.bench("agentrun_status, warm mesh", { group: "mesh" }, async () => {
  const res = await warm.callTool({ name: "agentrun_status", arguments: {} });
  if (res.isError) throw new Error("agentrun_status failed");
});

Deno.bench("cold start: spawn, initialize, agentrun_status, exit", {
  group: "mesh-cold",
  n: 10,
  warmup: 1,
}, async () => {
  const client = await connect();
  await client.callTool({ name: "agentrun_status", arguments: {} });
  await client.close();
});
