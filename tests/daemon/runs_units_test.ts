import assert from "node:assert/strict";
import type { Agent, AgentRun, RestartPolicy, Workspace } from "../../specs/ari.ts";
import { errorCode } from "../../specs/errors.ts";
import type { RuntimeState } from "../../specs/runtime.ts";
import { bundlePaths, composeConfig, mergeMcpServers } from "../../daemon/runs/bundle.ts";
import { lastEventSeq, readEventFiles } from "../../specs/eventlog/mod.ts";
import { envelopeBlock, escapeAttribute, messagePrompt } from "../../daemon/runs/inbox.ts";
import { KeyedMutex } from "../../daemon/runs/keyed_mutex.ts";
import {
  AGENT_RUN_LOST,
  BOOTSTRAP_LOST,
  NOT_RECOVERED,
  recoveryAction,
} from "../../daemon/runs/recovery.ts";
import { backoffDelay, nextAttempt, shouldRestart } from "../../daemon/runs/restart_policy.ts";
import { AGENT_ENV_ALLOW, pickEnv } from "../../daemon/runs/spawn.ts";
import { composeSystemPrompt } from "../../daemon/runs/system_prompt.ts";

Deno.test("restart policy: which exits restart", () => {
  const crash = { exitCode: 3, signal: null, requested: false };
  const clean = { exitCode: 0, signal: null, requested: false };
  const killed = { exitCode: null, signal: "SIGKILL", requested: false };
  const stopped = { exitCode: null, signal: "SIGTERM", requested: true };
  assert.equal(shouldRestart(undefined, crash), false);
  assert.equal(shouldRestart("never", crash), false);
  assert.equal(shouldRestart("on-failure", crash), true);
  assert.equal(shouldRestart("on-failure", killed), true);
  assert.equal(shouldRestart("on-failure", clean), false);
  assert.equal(shouldRestart("always", clean), true);
  assert.equal(shouldRestart("always", stopped), false);
  assert.equal(shouldRestart("on-failure", stopped), false);
});

Deno.test("restart policy: backoff doubles from 1 s, caps at 60 s, resets after 60 s up", () => {
  assert.deepEqual([0, 1, 2, 3, 5, 6, 10].map(backoffDelay), [
    1_000,
    2_000,
    4_000,
    8_000,
    32_000,
    60_000,
    60_000,
  ]);
  assert.equal(nextAttempt(-1, 10), 0);
  assert.equal(nextAttempt(3, 10), 4);
  assert.equal(nextAttempt(3, 60_000), 0);
});

Deno.test("system prompt: none without user prompt or workflow; identity first otherwise", () => {
  assert.equal(composeSystemPrompt({ name: "a", workspace: "ws" }), undefined);
  assert.equal(composeSystemPrompt({ name: "a", workspace: "ws", systemPrompt: "  " }), undefined);
  const p = composeSystemPrompt({
    name: "a",
    workspace: "ws",
    workspacePath: "/w",
    mesh: true,
    systemPrompt: "be brief",
    workflowFile: "/x/flow.md",
  })!;
  const parts = p.split("\n---\n");
  assert.equal(parts.length, 4);
  assert.match(parts[0], /You are a, an agent in workspace "ws"\. Path: \/w/);
  assert.match(parts[1], /workspace-mesh/);
  assert.equal(parts[2], "be brief");
  assert.match(parts[3], /\/x\/flow\.md/);
});

Deno.test("inbox envelope: attributes escaped, reply request", () => {
  assert.equal(escapeAttribute(`a"<b>&'`), "a&quot;&lt;b&gt;&amp;&#39;");
  assert.equal(envelopeBlock({ from: "x" }).text, '\n\n<workspace-message from="x" />');
  assert.equal(
    envelopeBlock({ from: 'x"y', needsReply: true }).text,
    '\n\n<workspace-message from="x&quot;y" reply-to="x&quot;y" reply-requested="true" />',
  );
  const blocks = messagePrompt([{ type: "text", text: "hi" }], { from: "x" });
  assert.equal(blocks.length, 2);
});

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

Deno.test("recovery decisions", () => {
  const run = (phase: AgentRun["status"]["phase"]): AgentRun => ({
    kind: "AgentRun",
    metadata: { workspace: "ws", name: "a" },
    spec: { agent: "x" },
    status: { phase },
  });
  const state = (
    phase: RuntimeState["phase"],
    extra: Partial<RuntimeState> = {},
  ): RuntimeState => ({
    massVersion: "0.1.0",
    id: "a",
    bundle: "/b",
    phase,
    updatedAt: "",
    ...extra,
  });
  const dead = { alive: false as const, reason: "connect refused" };
  const now = "2026-01-02T03:04:05.000Z";
  const lost = { exitCode: null, signal: null, reason: AGENT_RUN_LOST, time: now };
  assert.deepEqual(
    recoveryAction(run("idle"), { alive: true, state: state("running"), lastSeq: 3 }),
    {
      kind: "attach",
    },
  );
  assert.deepEqual(
    recoveryAction(run("creating"), { alive: true, state: state("creating"), lastSeq: 0 }),
    { kind: "attach" },
  );
  assert.deepEqual(recoveryAction(run("running"), dead, { now }), {
    kind: "mark",
    phase: "stopped",
    errorMessage: `${NOT_RECOVERED}: connect refused`,
    lastExit: lost,
  });
  assert.deepEqual(recoveryAction(run("creating"), dead, { now }), {
    kind: "mark",
    phase: "error",
    errorMessage: BOOTSTRAP_LOST,
    lastExit: lost,
  });
  assert.deepEqual(recoveryAction(run("restarting"), dead), { kind: "finish-restart" });
  const exited = recoveryAction(run("idle"), {
    alive: true,
    state: state("stopped", { exitCode: 3, updatedAt: now }),
    lastSeq: 9,
  });
  assert.deepEqual(exited, {
    kind: "mark",
    phase: "stopped",
    errorMessage: `${NOT_RECOVERED}: agent exited with code 3`,
    lastExit: { exitCode: 3, signal: null, reason: "agent exited with code 3", time: now },
  });
});

Deno.test("recovery decisions: restart policies of runs found dead", () => {
  const run = (
    phase: AgentRun["status"]["phase"],
    restartPolicy?: RestartPolicy,
  ): AgentRun => ({
    kind: "AgentRun",
    metadata: { workspace: "ws", name: "a" },
    spec: { agent: "x", ...(restartPolicy ? { restartPolicy } : {}) },
    status: { phase },
  });
  const now = "2026-01-02T03:04:05.000Z";
  const lost = { exitCode: null, signal: null, reason: AGENT_RUN_LOST, time: now };
  const vanished = { alive: false as const, reason: "connect refused" };
  // Vanished without a recorded exit: a failure, for every phase the run may have been in.
  for (const phase of ["creating", "idle", "running"] as const) {
    for (const policy of ["always", "on-failure"] as const) {
      assert.deepEqual(
        recoveryAction(run(phase, policy), vanished, { now }),
        { kind: "restart", lastExit: lost },
        `${phase} ${policy}`,
      );
    }
    const never = recoveryAction(run(phase, "never"), vanished, { now });
    assert.equal(never.kind, "mark", phase);
    assert.equal(recoveryAction(run(phase), vanished, { now }).kind, "mark", "default never");
  }
  // A recorded clean exit restarts only under `always`.
  const clean = {
    alive: false as const,
    reason: "connect refused",
    state: {
      massVersion: "0.1.0",
      id: "a",
      bundle: "/b",
      phase: "stopped" as const,
      exitCode: 0,
      updatedAt: now,
    },
  };
  assert.equal(recoveryAction(run("idle", "always"), clean, { now }).kind, "restart");
  assert.equal(recoveryAction(run("idle", "on-failure"), clean, { now }).kind, "mark");
  // Stopped on request (agentd died mid-stop): never restarted, no error.
  assert.deepEqual(
    recoveryAction(run("running", "always"), vanished, { now, stopRequested: true }),
    {
      kind: "mark",
      phase: "stopped",
      lastExit: { exitCode: null, signal: null, reason: "stopped", time: now },
    },
  );
  // An interrupted restart is finished whatever the policy, unless a stop came after it.
  assert.deepEqual(recoveryAction(run("restarting", "never"), vanished), {
    kind: "finish-restart",
  });
  const stopAfterRestart = recoveryAction(run("restarting"), vanished, { stopRequested: true });
  assert.equal(stopAfterRestart.kind, "mark");
});

Deno.test("keyed mutex: same key in order, other keys in parallel", async () => {
  const m = new KeyedMutex();
  const log: string[] = [];
  const step = (name: string, ms: number) =>
    m.run(name[0], async () => {
      log.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}-`);
    });
  await Promise.all([step("a1", 30), step("a2", 1), step("b1", 5)]);
  assert.ok(log.indexOf("a1-") < log.indexOf("a2+"), log.join(","));
  assert.ok(log.indexOf("b1+") < log.indexOf("a1-"), log.join(","));
  assert.equal(m.busy("a"), false);
  await assert.rejects(m.run("a", () => Promise.reject(new Error("x"))));
  assert.equal(await m.run("a", () => Promise.resolve(7)), 7, "a failure does not block the key");
});

Deno.test("event files: segments in order, torn last line ignored", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ev = (seq: number) =>
      JSON.stringify({ runId: "a", seq, time: "t", type: "notice", payload: {} }) + "\n";
    await Deno.writeTextFile(`${dir}/events-000000000000.jsonl`, ev(0) + ev(1));
    await Deno.writeTextFile(
      `${dir}/events-000000000002.jsonl`,
      ev(2) + ev(3) + '{"runId":"a","se',
    );
    const seqs = async (from: number) => {
      const out: number[] = [];
      for await (const e of readEventFiles(dir, from)) out.push(e.seq);
      return out;
    };
    assert.deepEqual(await seqs(0), [0, 1, 2, 3]);
    assert.deepEqual(await seqs(1), [1, 2, 3]);
    assert.deepEqual(await seqs(3), [3]);
    assert.deepEqual(await seqs(9), []);
    assert.equal(await lastEventSeq(dir), 3);
    assert.equal(await lastEventSeq(`${dir}/missing`), -1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
