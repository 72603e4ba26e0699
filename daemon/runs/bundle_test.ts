import assert from "node:assert/strict";
import type { Agent, AgentRun, Workspace } from "../../specs/ari.ts";
import { errorCode } from "../../specs/errors.ts";
import { bundlePaths, composeConfig, mergeMcpServers } from "./bundle.ts";
import { AGENT_ENV_ALLOW } from "./spawn.ts";
import { pickEnv } from "../../runner/launch/mod.ts";

Deno.test("bundle paths: names validated, socket length checked (-32602)", () => {
  const p = bundlePaths("/r/runs", "ws", "a");
  assert.equal(p.socket, "/r/runs/ws/a/agent-run.sock");
  for (const [ws, name] of [["..", "a"], ["ws", "a/b"], ["ws", ""], ["WS", "a"]]) {
    assert.throws(() => bundlePaths("/r/runs", ws, name), (e) => errorCode(e) === -32602);
  }
  const deep = "/" + "d".repeat(60);
  assert.throws(
    () => bundlePaths(deep, "ws", "a".repeat(30)),
    (e) => errorCode(e) === -32602 && /socket path too long/.test(String(e)),
  );
});

function fixture(): { run: AgentRun; agent: Agent; workspace: Workspace } {
  return {
    run: {
      kind: "AgentRun",
      metadata: { workspace: "ws", name: "a", labels: { team: "x" } },
      spec: {
        agent: "ag",
        permissions: "deny_all",
        turnTimeoutSeconds: 30,
        mcpServers: [{ type: "stdio", name: "m", command: "mcp", args: [], env: [] }],
      },
      status: { phase: "creating" },
    },
    agent: {
      kind: "Agent",
      metadata: { name: "ag" },
      spec: {
        command: "agent-bin",
        args: ["--acp"],
        env: [
          { name: "HOME", value: "/agent-home" },
          { name: "X", value: "1" },
          { name: "OPENAI_API_KEY", fromHost: true },
          { name: "UNSET_KEY", fromHost: true },
        ],
        startupTimeoutSeconds: 12,
      },
    },
    workspace: {
      kind: "Workspace",
      metadata: { name: "ws" },
      spec: { source: { type: "emptyDir" } },
      status: { phase: "ready", path: "/w" },
    },
  };
}

Deno.test("compose config: permissions pass through, basics ⊕ the agent's own env, timeouts", () => {
  const { run, agent, workspace } = fixture();
  const host = {
    PATH: "/bin",
    HOME: "/home/u",
    SECRET_TOKEN: "s",
    ANTHROPIC_API_KEY: "k",
    OPENAI_API_KEY: "o",
  };
  const env = pickEnv(AGENT_ENV_ALLOW, host);
  const cfg = composeConfig({
    run,
    agent,
    workspace,
    baseEnv: env,
    hostEnv: host,
    resumeSessionId: "s1",
  });
  assert.equal(cfg.session.permissions, "deny_all");
  assert.equal(cfg.session.systemPrompt, undefined, "no seed turn without a prompt");
  assert.equal(cfg.session.resumeSessionId, "s1");
  assert.equal(cfg.agentRoot.path, "workspace");
  assert.equal(cfg.process.command, "agent-bin");
  assert.deepEqual(cfg.process.args, ["--acp"]);
  assert.deepEqual(cfg.process.env.sort(), [
    "HOME=/agent-home",
    "OPENAI_API_KEY=o",
    "PATH=/bin",
    "X=1",
  ], "no provider key the agent does not name");
  assert.equal(cfg.runtime.bootstrapTimeoutSeconds, 12);
  assert.equal(cfg.runtime.turnTimeoutSeconds, 30);
  assert.equal(cfg.metadata.annotations?.agent, "ag");
  assert.equal(cfg.metadata.annotations?.team, "x");
  assert.equal(cfg.session.mcpServers[0].name, "m");
});

Deno.test("compose config: policy ask and its permission timeout (default 300 s)", () => {
  const { run, agent, workspace } = fixture();
  const base = composeConfig({ run, agent, workspace, baseEnv: {} });
  assert.equal(base.runtime.permissionTimeoutSeconds, 300);
  const ask = composeConfig({
    run: { ...run, spec: { ...run.spec, permissions: "ask", permissionTimeoutSeconds: 5 } },
    agent,
    workspace,
    baseEnv: {},
  });
  assert.equal(ask.session.permissions, "ask");
  assert.equal(ask.runtime.permissionTimeoutSeconds, 5);
});

Deno.test("mcp servers merge by name; nameless appended", () => {
  const s = (name?: string, command = "c") => ({
    type: "stdio" as const,
    ...(name ? { name } : {}),
    command,
    args: [],
    env: [],
  });
  const merged = mergeMcpServers([s("mesh"), s("a")], [s("mesh", "mine"), s(undefined, "x")]);
  assert.deepEqual(merged.map((m) => [m.name, m.command]), [
    ["mesh", "mine"],
    ["a", "c"],
    [undefined, "x"],
  ]);
});
