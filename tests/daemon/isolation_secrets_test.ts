/**
 * Issue #8 (isolation), secrets: an agent gets the basics and what its definition names,
 * never every provider's key; config.json is 0600; logs and events do not carry the values.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { AriClient } from "../../ctl/client/ari_client.ts";
import { builtinAgents, seedBuiltinAgents } from "../../daemon/agents/builtins.ts";
import { withStore } from "./store_helpers.ts";
import { composeConfig } from "../../daemon/runs/bundle.ts";
import { AGENT_ENV_ALLOW } from "../../daemon/runs/spawn.ts";
import { pickEnv } from "../../runner/launch/mod.ts";
import { startDaemon } from "../../daemon/main.ts";
import { eventText } from "../../specs/events.ts";
import { until } from "../support/wait.ts";
import { createIdle, logEvents, TEST_AGENT, text, turnEvents } from "./runs_helpers.ts";

const SECRETS = {
  ANTHROPIC_API_KEY: "anthropic-h8b-SECRET",
  OPENAI_API_KEY: "openai-h8b-SECRET",
  H8B_HOST_KEY: "named-h8b-SECRET",
};

async function readAll(dir: string): Promise<string> {
  let out = "";
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out += await readAll(p);
    else if (e.isFile && !e.name.endsWith(".json") && !e.name.startsWith("mass.kv")) {
      out += await Deno.readTextFile(p);
    }
  }
  return out;
}

Deno.test("agent env: only the basics and spec.env (value / valueFrom / fromHost); config.json 0600", async () => {
  const root = await Deno.makeTempDir({ prefix: "m", dir: "/tmp" });
  const env: Record<string, string> = { ...Deno.env.toObject(), ...SECRETS };
  const daemon = await startDaemon({ root, env, logLevel: "debug", seedBuiltins: false });
  await daemon.recovered;
  const c = await AriClient.connect(daemon.paths.socket, { requestTimeoutMs: 60_000 });
  try {
    await c.workspaceCreate({ metadata: { name: "ws" }, spec: { source: { type: "emptyDir" } } });
    await until("ws ready", async () => (await c.workspaceGet("ws")).status.phase === "ready");
    await c.agentCreate({
      metadata: { name: "t" },
      spec: {
        command: Deno.execPath(),
        args: ["run", "-A", TEST_AGENT],
        env: [
          { name: "MY_KEY", valueFrom: { env: "H8B_HOST_KEY" } },
          { name: "OPENAI_API_KEY", fromHost: true },
          { name: "PLAIN", value: "plain" },
        ],
      },
    });
    const key = { workspace: "ws", name: "a" };
    const run = await createIdle(c, key, { agent: "t" });
    const bundle = run.status.bundle!;
    assert.equal((await Deno.stat(join(bundle, "config.json"))).mode! & 0o777, 0o600);
    // Before the agent says anything: no secret value in logs or events.
    const before = await readAll(root) +
      JSON.stringify(await logEvents(bundle)) + JSON.stringify(await c.agentrunGet(key));
    for (const value of Object.values(SECRETS)) {
      assert.ok(!before.includes(value), `${value} leaked into a log, an event or status`);
    }

    const events = turnEvents(c, key, (await c.agentrunGet(key)).status.lastSeq! + 1);
    await c.agentrunPrompt({ ...key, prompt: text("env") });
    const said = (await events).map(eventText).join("");
    const agentEnv = JSON.parse(said.slice(said.indexOf("env:") + 4)) as Record<string, string>;
    assert.equal(agentEnv.MY_KEY, SECRETS.H8B_HOST_KEY);
    assert.equal(agentEnv.OPENAI_API_KEY, SECRETS.OPENAI_API_KEY);
    assert.equal(agentEnv.PLAIN, "plain");
    assert.equal(agentEnv.ANTHROPIC_API_KEY, undefined, "a key the agent does not name");
    assert.equal(agentEnv.H8B_HOST_KEY, undefined);
    assert.equal(agentEnv.PATH, env.PATH);
  } finally {
    c.close();
    await daemon.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});

Deno.test("built-ins name their own provider's key and the CA settings, no other provider's", () => {
  const host = { ...SECRETS, PATH: "/bin", NODE_EXTRA_CA_CERTS: "/ca.pem" };
  const envOf = (name: string) => {
    const agent = builtinAgents({ lookPath: () => undefined }).find((a) =>
      a.metadata.name === name
    )!;
    const cfg = composeConfig({
      run: {
        kind: "AgentRun",
        metadata: { workspace: "w", name: "r" },
        spec: { agent: name },
        status: { phase: "creating" },
      },
      agent,
      workspace: {
        kind: "Workspace",
        metadata: { name: "w" },
        spec: { source: { type: "emptyDir" } },
        status: { phase: "ready", path: "/w" },
      },
      baseEnv: pickEnv(AGENT_ENV_ALLOW, host),
      hostEnv: host,
    });
    return Object.fromEntries(cfg.process.env.map((e) => e.split(/=(.*)/s).slice(0, 2)));
  };
  const claude = envOf("claude");
  assert.equal(claude.ANTHROPIC_API_KEY, SECRETS.ANTHROPIC_API_KEY);
  assert.equal(claude.NODE_EXTRA_CA_CERTS, "/ca.pem");
  assert.equal(claude.OPENAI_API_KEY, undefined);
  const codex = envOf("codex");
  assert.equal(codex.OPENAI_API_KEY, SECRETS.OPENAI_API_KEY);
  assert.equal(codex.ANTHROPIC_API_KEY, undefined);
  assert.deepEqual(Object.keys(envOf("demo")).sort(), ["PATH"]);
});

Deno.test("seeding gives built-ins of an older seed their keys; edited definitions stay", async () => {
  await withStore(async (store) => {
    const builtins = builtinAgents({ lookPath: () => undefined, execPath: "/bin/deno" });
    const claude = builtins.find((a) => a.metadata.name === "claude")!;
    const codex = builtins.find((a) => a.metadata.name === "codex")!;
    // As an older mass seeded them: no env. codex was edited by its user.
    await store.createAgent({
      metadata: { name: "claude" },
      spec: { ...claude.spec, env: undefined },
    });
    await store.createAgent({
      metadata: { name: "codex" },
      spec: { ...codex.spec, env: undefined, args: ["--mine"] },
    });
    const created = await seedBuiltinAgents(store, builtins);
    assert.deepEqual(created.sort(), ["demo", "gsd-pi"]);
    assert.deepEqual((await store.getAgent("claude"))?.spec.env, claude.spec.env);
    assert.equal((await store.getAgent("codex"))?.spec.env, undefined, "the user's edit stays");
  });
});
