/**
 * Small runner modules in-process: config parsing, MCP mapping, session state, the state
 * file, the terminal service, and the agent stdout splitter (order and back-pressure).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { agentMessages } from "../../runner/acp/acp_connection.ts";
import {
  agentEnv,
  BundleError,
  loadBundle,
  parseConfig,
  toAcpMcpServers,
} from "../../runner/config.ts";
import {
  applySessionResponse,
  applySessionUpdate,
  modelOptionId,
} from "../../runner/acp/session_state.ts";
import { readStateFile } from "../../specs/eventlog/state.ts";
import { StateFile } from "../../runner/state_file.ts";
import { OutputBuffer, TerminalService } from "../../runner/terminal/terminal_service.ts";
import type { SessionState } from "../../specs/runtime.ts";
import { errorCode } from "../../specs/errors.ts";

const MINIMAL = {
  massVersion: "0.1.0",
  metadata: { name: "a" },
  agentRoot: { path: "workspace" },
  clientProtocol: "acp",
  process: { command: "agent" },
};

Deno.test("parseConfig: defaults, and one-line reasons for bad configs", () => {
  const c = parseConfig(JSON.stringify(MINIMAL));
  assert.equal(c.session.permissions, "approve_all");
  assert.equal(c.runtime.bootstrapTimeoutSeconds, 90);
  assert.equal(c.runtime.terminal, false);
  assert.deepEqual(c.process.args, []);
  assert.throws(() => parseConfig("[]"), BundleError);
  assert.throws(
    () => parseConfig(JSON.stringify({ ...MINIMAL, process: { command: "a", env: ["NOEQ"] } })),
    /process\.env\.0: env entries are K=V/,
  );
  assert.throws(() => parseConfig(JSON.stringify({ ...MINIMAL, clientProtocol: "x" })), (e) => {
    assert.ok(e instanceof BundleError && !e.message.includes("\n"));
    return true;
  });
});

Deno.test("agentEnv splits at the first '='; MCP servers map to ACP shapes", () => {
  const c = parseConfig(JSON.stringify({
    ...MINIMAL,
    process: { command: "a", env: ["A=1", "B=x=y", "C="] },
  }));
  assert.deepEqual(agentEnv(c), { A: "1", B: "x=y", C: "" });
  assert.deepEqual(
    toAcpMcpServers([
      { type: "stdio", name: "mesh", command: "m", args: ["x"], env: [{ name: "K", value: "V" }] },
      { type: "sse", name: "s", url: "http://s", args: [], env: [] },
      { type: "http", url: "http://h", args: [], env: [] },
    ]),
    [
      { name: "mesh", command: "m", args: ["x"], env: [{ name: "K", value: "V" }] },
      { name: "s", type: "sse", url: "http://s", headers: [] },
      { name: "mcp-2", type: "http", url: "http://h", headers: [] },
    ],
  );
});

Deno.test("loadBundle: real paths, --permissions override, bad override rejected", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcfg" }));
  try {
    await Deno.mkdir(join(root, "ws"));
    await Deno.mkdir(join(root, "b"));
    await Deno.symlink(join(root, "ws"), join(root, "b", "workspace"));
    await Deno.writeTextFile(join(root, "b", "config.json"), JSON.stringify(MINIMAL));
    const b = await loadBundle(join(root, "b", "..", "b"), { permissions: "deny_all" });
    assert.equal(b.dir, join(root, "b"));
    assert.equal(b.workspace, join(root, "ws"));
    assert.equal(b.config.session.permissions, "deny_all");
    assert.equal(b.paths.socket, join(root, "b", "agent-run.sock"));
    await assert.rejects(loadBundle(join(root, "b"), { permissions: "bogus" }), BundleError);
    assert.equal(
      (await loadBundle(join(root, "b"), { permissions: "ask" })).config.session.permissions,
      "ask",
    );
    await assert.rejects(loadBundle(join(root, "nope")), BundleError);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("session state: responses and metadata updates, sorted", () => {
  const s: SessionState = {};
  applySessionResponse(s, {
    sessionId: "x",
    modes: {
      currentModeId: "default",
      availableModes: [{ id: "default", name: "Default", description: "d" }, { id: "plan" }],
    },
    configOptions: [
      { id: "z", type: "boolean", currentValue: true, name: "Z" },
      {
        id: "model",
        category: "model",
        type: "select",
        currentValue: "m1",
        name: "Model",
        options: [{ value: "m1", name: "M1" }, { value: "m2", name: "M2", description: "big" }],
      },
    ],
  });
  assert.equal(s.currentMode, "default");
  assert.deepEqual(s.availableModes, [
    { id: "default", name: "Default", description: "d" },
    { id: "plan", name: "plan" },
  ]);
  assert.deepEqual((s.configOptions as { id: string }[]).map((o) => o.id), ["model", "z"]);
  assert.equal(s.models?.currentModelId, "m1");
  assert.deepEqual(s.models?.availableModels[1], { modelId: "m2", name: "M2", description: "big" });
  assert.equal(modelOptionId(s), "model");

  assert.equal(
    applySessionUpdate(s, {
      sessionUpdate: "available_commands_update",
      availableCommands: [{ name: "b", description: "" }, { name: "a", description: "" }],
    }),
    true,
  );
  assert.deepEqual(s.availableCommands?.map((c) => c.name), ["a", "b"]);
  assert.equal(
    applySessionUpdate(s, { sessionUpdate: "current_mode_update", currentModeId: "plan" }),
    true,
  );
  assert.equal(s.currentMode, "plan");
  applySessionUpdate(s, { sessionUpdate: "session_info_update", title: "T" });
  applySessionUpdate(s, { sessionUpdate: "session_info_update", updatedAt: "now" });
  assert.deepEqual(s.sessionInfo, { title: "T", updatedAt: "now" });
  assert.equal(applySessionUpdate(s, { sessionUpdate: "usage_update", used: 1, size: 2 }), false);
  assert.equal(applySessionUpdate(s, { sessionUpdate: "current_mode_update" }), false);
  assert.equal(applySessionUpdate(s, null), false);
});

Deno.test("StateFile: atomic whole writes in order, live fields decorated", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mst" });
  try {
    const path = join(dir, "state.json");
    let seq = 0;
    const sf = new StateFile(path, {
      massVersion: "0.1.0",
      id: "a",
      bundle: dir,
      phase: "creating",
      updatedAt: "",
    }, { decorate: (s) => (s.lastSeq = seq) });
    const writes = [];
    for (let i = 0; i < 20; i++) {
      seq = i;
      writes.push(sf.update((s) => (s.pid = i)));
    }
    await Promise.all(writes);
    const disk = await readStateFile(path);
    assert.equal(disk?.pid, 19);
    assert.equal(disk?.lastSeq, 19);
    assert.ok(disk?.updatedAt);
    const leftovers = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(leftovers, ["state.json"]);
    assert.equal(await readStateFile(join(dir, "missing.json")), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("OutputBuffer keeps the tail within the limit, on a character boundary", () => {
  const b = new OutputBuffer(5);
  const enc = new TextEncoder();
  b.push(enc.encode("abc"));
  assert.equal(b.text(), "abc");
  assert.equal(b.truncated, false);
  b.push(enc.encode("déf"));
  assert.equal(b.truncated, true);
  assert.ok(enc.encode(b.text()).length <= 5);
  assert.ok(b.text().endsWith("déf"));
  assert.ok(!b.text().includes("\uFFFD"));
});

Deno.test("TerminalService: runs in the workspace, bounded output, exit status, release", async () => {
  const ws = await Deno.realPath(await Deno.makeTempDir({ prefix: "mterm" }));
  const svc = new TerminalService(ws, { PATH: "/usr/bin:/bin" });
  try {
    const { terminalId } = await svc.create({
      command: "/bin/sh",
      args: ["-c", "pwd; echo $FOO; exit 3"],
      env: [{ name: "FOO", value: "bar" }],
    });
    const exit = await svc.waitForExit(terminalId);
    assert.deepEqual(exit, { exitCode: 3, signal: null });
    const out = svc.output(terminalId);
    assert.equal(out.output, `${ws}\nbar\n`);
    assert.deepEqual(out.exitStatus, exit);
    await svc.release(terminalId);
    assert.throws(() => svc.output(terminalId), (e) => errorCode(e) === -32002);

    const long = await svc.create({
      command: "/bin/sh",
      args: ["-c", "yes | head -c 10000"],
      outputByteLimit: 100,
    });
    await svc.waitForExit(long.terminalId);
    assert.equal(svc.output(long.terminalId).output.length, 100);
    assert.equal(svc.output(long.terminalId).truncated, true);

    const hang = await svc.create({ command: "/bin/sleep", args: ["60"] });
    await svc.kill(hang.terminalId);
    assert.equal((await svc.waitForExit(hang.terminalId)).signal, "SIGKILL");
    await assert.rejects(svc.create({ command: "ls", cwd: "/" }), (e) => errorCode(e) === -32602);
  } finally {
    await svc.closeAll();
    await Deno.remove(ws, { recursive: true });
  }
});

Deno.test("agentMessages: updates handled in order before the next message, with back-pressure", async () => {
  const lines = [
    { jsonrpc: "2.0", method: "session/update", params: { sessionId: "s", update: { n: 1 } } },
    { jsonrpc: "2.0", method: "session/update", params: { sessionId: "s", update: { n: 2 } } },
    { jsonrpc: "2.0", id: 0, result: { stopReason: "end_turn" } },
    { jsonrpc: "2.0", method: "session/update", params: { sessionId: "s", update: { n: 3 } } },
  ].map((m) => JSON.stringify(m) + "\n").join("") + "not json\n";
  const log: string[] = [];
  const errors: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const stdout = new Blob([lines]).stream();
  const messages = agentMessages(stdout, async (p) => {
    const n = (p.update as unknown as { n: number }).n;
    if (n === 2) await gate;
    log.push(`update ${n}`);
  }, (m) => errors.push(m));
  const reader = messages.getReader();
  const first = reader.read();
  await new Promise((r) => setTimeout(r, 50));
  // Update 2 is still being handled: the response behind it has not been read.
  assert.deepEqual(log, ["update 1"]);
  release();
  const msg = await first;
  assert.deepEqual(log, ["update 1", "update 2"]);
  assert.equal((msg.value as { id: number }).id, 0);
  assert.equal((await reader.read()).done, true);
  assert.deepEqual(log, ["update 1", "update 2", "update 3"]);
  assert.equal(errors.length, 1);
});
