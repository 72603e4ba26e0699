/**
 * Drives the two fake agents (daemon/agents/demo/demo_agent.ts, tests/agents/test_agent.ts) as
 * real subprocesses through the ACP SDK's client side. Every wait has a deadline, and every
 * process started here is reaped (stdin closed, status awaited, SIGKILL by pid as last resort).
 */
import * as acp from "@agentclientprotocol/sdk";
import assert from "node:assert/strict";
import { deadline, sleep, until } from "./support/wait.ts";

const DEMO_AGENT = new URL("../daemon/agents/demo/demo_agent.ts", import.meta.url).pathname;
const TEST_AGENT = new URL("./agents/test_agent.ts", import.meta.url).pathname;
/** A workspace path the agents only ever see through the client's fs handlers. */
const CWD = "/ws";

/** Lets already-received messages reach their handlers (they are only microtasks away). */
function settle(): Promise<void> {
  return sleep(0);
}

/** An agent subprocess with piped stdio. */
class AgentProcess {
  readonly child: Deno.ChildProcess;
  readonly stderr: Promise<string>;
  #status?: Deno.CommandStatus;

  constructor(file: string, args: string[] = [], env: Record<string, string> = {}) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", file, ...args],
      env: { NO_COLOR: "1", ...env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.stderr = new Response(this.child.stderr).text();
  }

  get pid(): number {
    return this.child.pid;
  }

  stream(): acp.Stream {
    return acp.ndJsonStream(this.child.stdin, this.child.stdout);
  }

  /** Waits for the process to exit on its own. */
  async exited(ms: number): Promise<Deno.CommandStatus> {
    this.#status = await deadline(this.child.status, ms, `agent ${this.pid} to exit`);
    return this.#status;
  }

  /** Closes stdin, waits briefly, then SIGKILLs this pid; always reaps stdio and status. */
  async shutdown(graceMs = 5000): Promise<{ status: Deno.CommandStatus; stderr: string }> {
    try {
      await this.child.stdin.close();
    } catch {
      // Already closed, or the agent is gone (EPIPE).
    }
    let status = this.#status;
    if (!status) {
      try {
        status = await this.exited(graceMs);
      } catch {
        this.child.kill("SIGKILL");
        status = await this.child.status;
      }
    }
    // stdout belongs to the SDK connection, which cancels it on close; make sure here too.
    await this.child.stdout.cancel().catch(() => {});
    return { status, stderr: await this.stderr };
  }
}

type ChunkKind = "agent_message_chunk" | "agent_thought_chunk" | "user_message_chunk";

/** What the test client saw and how it answers the agent. */
class Recorder {
  updates: acp.SessionNotification[] = [];
  permissions: acp.RequestPermissionRequest[] = [];
  files = new Map<string, string>();
  writes: acp.WriteTextFileRequest[] = [];
  /** optionId to select, or null to answer "cancelled". */
  permissionChoice: string | null = "allow_once";

  kinds(): string[] {
    return this.updates.map((n) => n.update.sessionUpdate);
  }

  /** Text of the message chunks of `kind` (agent messages by default), in order. */
  texts(kind: ChunkKind = "agent_message_chunk"): string[] {
    return this.updates.flatMap(({ update: u }) =>
      (u.sessionUpdate === "agent_message_chunk" || u.sessionUpdate === "agent_thought_chunk" ||
          u.sessionUpdate === "user_message_chunk") &&
        u.sessionUpdate === kind && u.content.type === "text"
        ? [u.content.text]
        : []
    );
  }

  client(): acp.ClientApp {
    return acp.client({ name: "agents-test" })
      .onNotification(acp.methods.client.session.update, ({ params }) => {
        this.updates.push(params);
      })
      .onRequest(acp.methods.client.session.requestPermission, ({ params }) => {
        this.permissions.push(params);
        const optionId = this.permissionChoice;
        return optionId === null
          ? { outcome: { outcome: "cancelled" } }
          : { outcome: { outcome: "selected", optionId } };
      })
      .onRequest(acp.methods.client.fs.readTextFile, ({ params }) => {
        const content = this.files.get(params.path);
        if (content === undefined) throw acp.RequestError.resourceNotFound(params.path);
        return { content };
      })
      .onRequest(acp.methods.client.fs.writeTextFile, ({ params }) => {
        this.writes.push(params);
        this.files.set(params.path, params.content);
        return {};
      });
  }
}

type Session = {
  ctx: acp.ClientContext;
  init: acp.InitializeResponse;
  sessionId: string;
  created: acp.NewSessionResponse;
  prompt(text: string, ms?: number): Promise<acp.PromptResponse>;
  cancel(): Promise<void>;
};

/**
 * Starts `file`, initializes (advertising fs read/write), opens one session and runs `op`.
 * The agent is shut down afterwards whatever happens; its exit status and stderr are returned.
 */
async function withAgent<T>(
  file: string,
  args: string[],
  rec: Recorder,
  op: (s: Session, agent: AgentProcess) => Promise<T>,
  ms = 20_000,
): Promise<{ result: T; status: Deno.CommandStatus; stderr: string }> {
  const agent = new AgentProcess(file, args);
  let outcome: { ok: true; result: T } | { ok: false; error: unknown };
  try {
    const result = await deadline(
      rec.client().connectWith(agent.stream(), async (ctx) => {
        const init = await deadline(
          ctx.request(acp.methods.agent.initialize, {
            protocolVersion: 1,
            clientInfo: { name: "agents-test", version: "0.0.0" },
            clientCapabilities: { fs: { readTextFile: true, writeTextFile: true } },
          }),
          10_000,
          "initialize",
        );
        const created = await deadline(
          ctx.request(acp.methods.agent.session.new, { cwd: CWD, mcpServers: [] }),
          5_000,
          "session/new",
        );
        const sessionId = created.sessionId;
        const session: Session = {
          ctx,
          init,
          sessionId,
          created,
          prompt: async (text, promptMs = 5_000) => {
            const response = await deadline(
              ctx.request(acp.methods.agent.session.prompt, {
                sessionId,
                prompt: [{ type: "text", text }],
              }),
              promptMs,
              `prompt ${JSON.stringify(text.slice(0, 40))}`,
            );
            await settle();
            return response;
          },
          cancel: () => ctx.notify(acp.methods.agent.session.cancel, { sessionId }),
        };
        return await op(session, agent);
      }),
      ms,
      `agent session in ${file}`,
    );
    outcome = { ok: true, result };
  } catch (error) {
    outcome = { ok: false, error };
  }
  // Reached on failure too, so no test leaves a process behind.
  const { status, stderr } = await agent.shutdown();
  if (!outcome.ok) {
    console.error(`agent stderr:\n${stderr}`);
    throw outcome.error;
  }
  return { result: outcome.result, status, stderr };
}

// ---------------------------------------------------------------------------------------
// demo agent

Deno.test("demo agent: initialize, session/new and available commands", async () => {
  const rec = new Recorder();
  const { status } = await withAgent(DEMO_AGENT, [], rec, async (s) => {
    assert.equal(s.init.protocolVersion, 1);
    assert.deepEqual(s.init.agentInfo, { name: "mass-demo", version: "0.1.0" });
    assert.equal(s.init.agentCapabilities?.loadSession, true);
    assert.match(s.sessionId, /^[0-9a-f-]{36}$/);
    assert.equal(s.created.modes?.currentModeId, "default");
    assert.deepEqual(s.created.modes?.availableModes.map((m) => m.id), ["default", "plan"]);
    const model = s.created.configOptions?.find((o) => o.category === "model");
    assert.ok(model && model.type === "select");
    assert.equal(model.currentValue, "demo-small");
    await until(
      "available_commands_update",
      () => rec.kinds().includes("available_commands_update"),
      2_000,
      5,
    );
  });
  assert.equal(status.code, 0, "exits cleanly when stdin closes");
});

Deno.test("demo agent: a prompt streams thought, plan, tool calls, chunks, usage", async () => {
  const rec = new Recorder();
  rec.files.set(`${CWD}/README.md`, "# Demo workspace\n\nSome text.\n");
  await withAgent(DEMO_AGENT, [], rec, async (s) => {
    const response = await s.prompt("hello demo, what can you do?");
    assert.equal(response.stopReason, "end_turn");
    const kinds = rec.kinds();
    for (
      const kind of [
        "agent_thought_chunk",
        "plan",
        "tool_call",
        "tool_call_update",
        "agent_message_chunk",
        "usage_update",
      ]
    ) {
      assert.ok(kinds.includes(kind), `expected a ${kind} update in ${kinds.join(",")}`);
    }
    assert.ok(kinds.indexOf("agent_thought_chunk") < kinds.indexOf("agent_message_chunk"));
    assert.ok(rec.texts().length > 3, "reply streams in several chunks");
    const reply = rec.texts().join("");
    assert.match(reply, /hello demo, what can you do\?/);
    assert.match(reply, /# Demo workspace/, "reply mentions README read through the client");
    const read = rec.updates.find((n) => n.update.sessionUpdate === "tool_call")!.update;
    assert.ok(read.sessionUpdate === "tool_call" && read.kind === "read");
    const lastPlan = rec.updates.findLast((n) => n.update.sessionUpdate === "plan")!.update;
    assert.ok(lastPlan.sessionUpdate === "plan");
    assert.equal(lastPlan.entries.length, 3);
    assert.ok(lastPlan.entries.every((e) => e.status === "completed"));
    assert.equal(rec.permissions.length, 0, "no permission asked without 'write'");
  });
});

Deno.test("demo agent: 'write' asks permission, then writes through the client", async () => {
  const rec = new Recorder();
  rec.permissionChoice = "allow";
  await withAgent(DEMO_AGENT, [], rec, async (s) => {
    assert.equal((await s.prompt("please write hello.txt")).stopReason, "end_turn");
    assert.equal(rec.permissions.length, 1);
    assert.equal(rec.permissions[0].toolCall.kind, "edit");
    assert.deepEqual(rec.permissions[0].options.map((o) => o.kind), [
      "allow_once",
      "reject_once",
    ]);
    assert.equal(rec.writes.length, 1);
    assert.equal(rec.writes[0].path, `${CWD}/hello.txt`);
    const diffs = rec.updates.flatMap((n) =>
      n.update.sessionUpdate === "tool_call" ? n.update.content ?? [] : []
    ).filter((c) => c.type === "diff");
    assert.equal(diffs.length, 1);
    assert.ok(diffs[0].type === "diff" && diffs[0].newText === rec.writes[0].content);

    rec.permissionChoice = "reject";
    assert.equal((await s.prompt("write notes.md again")).stopReason, "end_turn");
    assert.equal(rec.permissions.length, 2);
    assert.equal(rec.writes.length, 1, "a rejected write is not performed");
  });
});

Deno.test("demo agent: session/cancel ends the turn with 'cancelled'", async () => {
  const rec = new Recorder();
  await withAgent(DEMO_AGENT, [], rec, async (s) => {
    const pending = s.prompt("tell me a long story");
    await until("first message chunk", () => rec.texts().length > 0, 3_000, 5);
    const chunksAtCancel = rec.texts().length;
    await s.cancel();
    assert.equal((await pending).stopReason, "cancelled");
    assert.ok(rec.texts().length <= chunksAtCancel + 1, "streaming stops after cancel");
    assert.equal((await s.prompt("again")).stopReason, "end_turn", "next turn works");
  });
});

Deno.test("demo agent: set_mode, set_config_option and load", async () => {
  const rec = new Recorder();
  await withAgent(DEMO_AGENT, [], rec, async (s) => {
    await s.prompt("remember me");
    await s.ctx.request(acp.methods.agent.session.setMode, {
      sessionId: s.sessionId,
      modeId: "plan",
    });
    const set = await s.ctx.request(acp.methods.agent.session.setConfigOption, {
      sessionId: s.sessionId,
      configId: "model",
      value: "demo-large",
    });
    assert.equal(set.configOptions[0].currentValue, "demo-large");
    await settle();
    assert.ok(rec.kinds().includes("current_mode_update"));
    assert.ok(rec.kinds().includes("config_option_update"));
    await assert.rejects(
      s.ctx.request(acp.methods.agent.session.setMode, { sessionId: s.sessionId, modeId: "x" }),
      (e: acp.RequestError) => e.code === -32602,
    );

    rec.updates = [];
    const loaded = await s.ctx.request(acp.methods.agent.session.load, {
      sessionId: s.sessionId,
      cwd: CWD,
      mcpServers: [],
    });
    assert.equal(loaded.modes?.currentModeId, "plan");
    await settle();
    assert.deepEqual(rec.kinds(), ["user_message_chunk", "agent_message_chunk"]);
    await s.ctx.request(acp.methods.agent.session.load, {
      sessionId: "unknown-session",
      cwd: CWD,
      mcpServers: [],
    });
  });
});

// ---------------------------------------------------------------------------------------
// test agent

Deno.test("test agent: initialize and plain text echo", async () => {
  const rec = new Recorder();
  const { status, stderr } = await withAgent(TEST_AGENT, [], rec, async (s) => {
    assert.equal(s.init.protocolVersion, 1);
    assert.equal(s.init.agentCapabilities?.loadSession, true);
    assert.deepEqual(s.init.agentCapabilities?.sessionCapabilities?.resume, {});
    assert.equal((await s.prompt("hello\nworld")).stopReason, "end_turn");
    assert.deepEqual(rec.texts(), ["hello\nworld"]);
    await s.ctx.request(acp.methods.agent.session.load, {
      sessionId: "any-id",
      cwd: CWD,
      mcpServers: [],
    });
  });
  assert.equal(status.code, 0);
  assert.match(stderr, /session\/load any-id/);
});

Deno.test("test agent: chunks 1000 arrive exactly once, in order", async () => {
  const rec = new Recorder();
  await withAgent(TEST_AGENT, [], rec, async (s) => {
    assert.equal((await s.prompt("chunks 1000")).stopReason, "end_turn");
    const texts = rec.texts();
    assert.equal(texts.length, 1000);
    texts.forEach((t, i) => assert.equal(t, `chunk-${String(i).padStart(6, "0")}`));
    rec.updates = [];
    await s.prompt("chunks 3 20");
    assert.deepEqual(rec.texts(), [0, 1, 2].map((i) => `chunk-00000${i}xxxxxxxx`));
  });
});

Deno.test("test agent: 100000 chunks all arrive", async () => {
  let count = 0;
  const agent = new AgentProcess(TEST_AGENT);
  try {
    const client = acp.client({ name: "agents-test" })
      .onNotification(acp.methods.client.session.update, () => {
        count++;
      });
    const elapsed = await deadline(
      client.connectWith(agent.stream(), async (ctx) => {
        await ctx.request(acp.methods.agent.initialize, { protocolVersion: 1 });
        const { sessionId } = await ctx.request(acp.methods.agent.session.new, {
          cwd: CWD,
          mcpServers: [],
        });
        const started = performance.now();
        const response = await ctx.request(acp.methods.agent.session.prompt, {
          sessionId,
          prompt: [{ type: "text", text: "chunks 100000" }],
        });
        await settle();
        assert.equal(response.stopReason, "end_turn");
        return performance.now() - started;
      }),
      60_000,
      "100000 chunks",
    );
    assert.equal(count, 100_000);
    console.log(`100000 chunks in ${Math.round(elapsed)} ms`);
  } finally {
    await agent.shutdown();
  }
});

Deno.test("test agent: scripted updates of every kind", async () => {
  const rec = new Recorder();
  await withAgent(TEST_AGENT, [], rec, async (s) => {
    const script = [
      "thought thinking hard",
      "plan pending in_progress completed",
      "tool t1 read Read a file",
      "tool_update t1 completed",
      "commands",
      "mode plan",
      "config",
      "session_info My title",
      "usage 10 100",
      `update {"sessionUpdate":"notice","severity":"info","title":"hi"}`,
      "say done",
    ].join("\n");
    assert.equal((await s.prompt(script)).stopReason, "end_turn");
    assert.deepEqual(rec.kinds(), [
      "agent_thought_chunk",
      "plan",
      "tool_call",
      "tool_call_update",
      "available_commands_update",
      "current_mode_update",
      "config_option_update",
      "session_info_update",
      "usage_update",
      "notice",
      "agent_message_chunk",
    ]);
    assert.equal((await s.prompt("say a\nstop max_tokens\nsay b")).stopReason, "max_tokens");
    assert.deepEqual(rec.texts(), ["done", "a"]);
  });
});

Deno.test("test agent: permission, read and write round-trip through the client", async () => {
  const rec = new Recorder();
  rec.files.set(`${CWD}/in.txt`, "file content");
  rec.permissionChoice = "allow_always";
  await withAgent(TEST_AGENT, [], rec, async (s) => {
    await s.prompt("permission edit Edit the file");
    assert.equal(rec.permissions[0].toolCall.kind, "edit");
    assert.equal(rec.permissions[0].toolCall.title, "Edit the file");
    assert.deepEqual(rec.permissions[0].options.map((o) => o.optionId), [
      "allow_once",
      "allow_always",
      "reject_once",
      "reject_always",
    ]);
    rec.permissionChoice = null;
    await s.prompt("permission execute Run it");
    await s.prompt("read in.txt\nread /elsewhere/missing.txt\nwrite out.txt line1\\nline2");
    assert.deepEqual(rec.writes.map((w) => [w.path, w.content]), [
      [`${CWD}/out.txt`, "line1\nline2"],
    ]);
    const texts = rec.texts();
    assert.equal(texts[0], "permission:selected:allow_always");
    assert.equal(texts[1], "permission:cancelled:none");
    assert.equal(texts[2], "read:ok:file content");
    assert.match(texts[3], /^read:error:/);
    assert.equal(texts[4], "write:ok");
  });
});

Deno.test("test agent: cancel during delay and hang gives 'cancelled'", async () => {
  const rec = new Recorder();
  await withAgent(TEST_AGENT, [], rec, async (s) => {
    for (const script of ["say start\ndelay 10000\nsay never", "say start\nhang"]) {
      rec.updates = [];
      const pending = s.prompt(script);
      await until("start chunk", () => rec.texts().includes("start"), 2_000, 5);
      await s.cancel();
      assert.equal((await pending).stopReason, "cancelled");
      assert.deepEqual(rec.texts(), ["start"]);
    }
  });
});

Deno.test("test agent: error makes session/prompt fail with a JSON-RPC error", async () => {
  const rec = new Recorder();
  await withAgent(TEST_AGENT, [], rec, async (s) => {
    await assert.rejects(s.prompt("error boom"), (e: acp.RequestError) => {
      assert.equal(e.code, -32603);
      assert.match(e.message, /boom/);
      return true;
    });
    await assert.rejects(s.prompt("error -32000 login first"), (e: acp.RequestError) => {
      assert.equal(e.code, -32000);
      return true;
    });
    assert.equal((await s.prompt("say still alive")).stopReason, "end_turn");
  });
});

Deno.test("test agent: crash 3 exits the process with code 3", async () => {
  const rec = new Recorder();
  const agent = new AgentProcess(TEST_AGENT);
  try {
    const connected = rec.client().connectWith(agent.stream(), async (ctx) => {
      await ctx.request(acp.methods.agent.initialize, { protocolVersion: 1 });
      const { sessionId } = await ctx.request(acp.methods.agent.session.new, {
        cwd: CWD,
        mcpServers: [],
      });
      await ctx.request(acp.methods.agent.session.prompt, {
        sessionId,
        prompt: [{ type: "text", text: "say bye\ncrash 3" }],
      });
    });
    await assert.rejects(deadline(connected, 10_000, "connection to close"));
    assert.equal((await agent.exited(5_000)).code, 3);
  } finally {
    await agent.shutdown();
  }
});

Deno.test("test agent: --ignore-stdin-close survives EOF until SIGTERM", async () => {
  const agent = new AgentProcess(TEST_AGENT, ["--ignore-stdin-close"]);
  try {
    await agent.child.stdin.close();
    await assert.rejects(agent.exited(300), /timed out/);
    Deno.kill(agent.pid, "SIGTERM");
    assert.equal((await agent.exited(5_000)).signal, "SIGTERM");
  } finally {
    await agent.shutdown();
  }
});

Deno.test("test agent: --ignore-sigterm needs SIGKILL", async () => {
  const agent = new AgentProcess(TEST_AGENT, ["--ignore-stdin-close", "--ignore-sigterm"]);
  try {
    const rec = new Recorder();
    // Wait until the agent answers, so its SIGTERM listener is installed.
    await deadline(
      rec.client().connectWith(agent.stream(), async (ctx) => {
        await ctx.request(acp.methods.agent.initialize, { protocolVersion: 1 });
      }),
      10_000,
      "initialize",
    );
    Deno.kill(agent.pid, "SIGTERM");
    await assert.rejects(agent.exited(300), /timed out/);
    Deno.kill(agent.pid, "SIGKILL");
    assert.equal((await agent.exited(5_000)).signal, "SIGKILL");
  } finally {
    await agent.shutdown();
  }
});

Deno.test("test agent: --fail-new and --no-load", async () => {
  const agent = new AgentProcess(TEST_AGENT, ["--fail-new", "--no-load", "--init-delay", "50"]);
  try {
    await deadline(
      new Recorder().client().connectWith(agent.stream(), async (ctx) => {
        const init = await ctx.request(acp.methods.agent.initialize, { protocolVersion: 1 });
        assert.equal(init.agentCapabilities?.loadSession, false);
        await assert.rejects(
          ctx.request(acp.methods.agent.session.new, { cwd: CWD, mcpServers: [] }),
          (e: acp.RequestError) => e.code === -32603,
        );
      }),
      10_000,
      "fail-new session",
    );
  } finally {
    assert.equal((await agent.shutdown()).status.code, 0);
  }
});
