#!/usr/bin/env -S deno run -A
/**
 * The built-in `demo` agent: an offline ACP (protocol version 1) agent that speaks
 * newline-delimited JSON-RPC on stdin/stdout and logs only to stderr. It is what the README
 * quick start runs, so it shows every part of a turn a client has to render:
 *
 *   thought chunk -> plan (3 entries, statuses advancing) -> `read` tool call that reads
 *   README.md through the client (fs/read_text_file, when offered) -> streamed reply in word
 *   groups -> optional `edit` tool call with a diff, guarded by session/request_permission,
 *   that writes a file through the client (prompt contains the word "write", e.g.
 *   "write hello.txt") -> usage_update -> stopReason end_turn.
 *
 * session/cancel stops the turn at the next step and answers stopReason "cancelled".
 * Sessions live in memory: session/load replays what this process remembers (nothing for
 * an unknown id, which it accepts), session/resume and session/close are supported, and
 * session/set_mode / session/set_config_option (category "model") emit their updates.
 * The process exits when stdin closes.
 *
 * Launch: deno run -A runner/agents/demo_agent.ts
 */
import * as acp from "@agentclientprotocol/sdk";
import { join } from "node:path";
import { delay } from "../../specs/lib/delay.ts";

export const DEMO_AGENT_INFO: acp.Implementation = { name: "mass-demo", version: "0.1.0" };

export const DEMO_MODES: acp.SessionMode[] = [
  { id: "default", name: "Default", description: "Answer, read files and write when allowed" },
  { id: "plan", name: "Plan", description: "Plan and read only; never writes files" },
];

/** Model ids offered through the `model` config option, with their context sizes. */
export const DEMO_MODELS: Record<string, { name: string; contextSize: number }> = {
  "demo-small": { name: "Demo Small", contextSize: 8_192 },
  "demo-large": { name: "Demo Large", contextSize: 131_072 },
};

export const DEMO_COMMANDS: acp.AvailableCommand[] = [
  { name: "hello", description: "Say hello" },
  { name: "plan", description: "Make a plan for a task", input: { hint: "what to plan" } },
];

/** Delay between streamed steps: long enough to see streaming, short enough for a <1s turn. */
const STEP_MS = 20;
/** Words per agent_message_chunk. */
const WORDS_PER_CHUNK = 3;

/** What this process remembers about one session. */
export type DemoSession = {
  id: string;
  cwd: string;
  modeId: string;
  model: string;
  /** Transcript replayed by session/load. */
  history: { role: "user" | "agent"; text: string }[];
  usedTokens: number;
  toolSeq: number;
  /** Aborted by session/cancel; present only while a turn runs. */
  turn?: AbortController;
};

/** Thrown inside a turn once it has been cancelled; turned into stopReason "cancelled". */
class TurnCancelled extends Error {
  constructor() {
    super("turn cancelled");
  }
}

function log(message: string): void {
  console.error(`[mass-demo] ${message}`);
}

/** Flattens prompt content blocks to plain text (links and resources by their uri). */
export function promptText(blocks: acp.ContentBlock[]): string {
  return blocks.map((block) => {
    switch (block.type) {
      case "text":
        return block.text;
      case "resource_link":
        return `@${block.uri}`;
      case "resource":
        return "text" in block.resource ? block.resource.text : `@${block.resource.uri}`;
      default:
        return `[${block.type}]`;
    }
  }).join("\n");
}

/** The file a "write" prompt asks for: the word after "write" if it looks like a file name. */
export function writeTarget(text: string): string | undefined {
  const match = /\bwrite\b\s*(\S*)/i.exec(text);
  if (!match) return undefined;
  const word = match[1].replace(/[.,;:!?'"`]+$/, "");
  return /^[\w][\w.-]*\.[\w]+$/.test(word) ? word : "hello.txt";
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Splits text into chunks of a few words, keeping the whitespace so chunks concatenate. */
export function wordGroups(text: string, size = WORDS_PER_CHUNK): string[] {
  const words = text.match(/\S+\s*/g) ?? [];
  const groups: string[] = [];
  for (let i = 0; i < words.length; i += size) groups.push(words.slice(i, i + size).join(""));
  return groups;
}

function modeState(session: DemoSession): acp.SessionModeState {
  return { currentModeId: session.modeId, availableModes: DEMO_MODES };
}

function configOptions(session: DemoSession): acp.SessionConfigOption[] {
  return [{
    id: "model",
    name: "Model",
    description: "Which pretend model answers",
    category: "model",
    type: "select",
    currentValue: session.model,
    options: Object.entries(DEMO_MODELS).map(([value, m]) => ({ value, name: m.name })),
  }];
}

function text(value: string): acp.ContentBlock {
  return { type: "text", text: value };
}

/** One running prompt turn: sends updates and client requests unless cancelled. */
class DemoTurn {
  constructor(
    readonly session: DemoSession,
    readonly client: acp.AgentContext,
    readonly caps: acp.ClientCapabilities,
    readonly signal: AbortSignal,
  ) {}

  check(): void {
    if (this.signal.aborted) throw new TurnCancelled();
  }

  async send(update: acp.SessionUpdate): Promise<void> {
    this.check();
    await this.client.notify(acp.methods.client.session.update, {
      sessionId: this.session.id,
      update,
    });
  }

  async pause(ms = STEP_MS): Promise<void> {
    await delay(ms, { signal: this.signal });
    this.check();
  }

  /** Client-request options: a cancel stops waiting at once instead of trusting the client. */
  get requestOptions(): acp.SendRequestOptions {
    return { cancellationSignal: this.signal, stopWaitingOnCancel: true };
  }

  nextToolId(prefix: string): string {
    return `${prefix}-${++this.session.toolSeq}`;
  }
}

const PLAN_STEPS = ["Understand the request", "Look at the workspace", "Write the answer"];

async function sendPlan(turn: DemoTurn, done: number): Promise<void> {
  const entries: acp.PlanEntry[] = PLAN_STEPS.map((content, i) => ({
    content,
    priority: i === 0 ? "high" : "medium",
    status: i < done ? "completed" : i === done ? "in_progress" : "pending",
  }));
  await turn.send({ sessionUpdate: "plan", entries });
}

/** Reads README.md through the client; returns one sentence about what it found. */
async function readReadme(turn: DemoTurn): Promise<string> {
  const path = join(turn.session.cwd, "README.md");
  const toolCallId = turn.nextToolId("read");
  await turn.send({
    sessionUpdate: "tool_call",
    toolCallId,
    title: "Read README.md",
    kind: "read",
    status: "in_progress",
    locations: [{ path }],
    rawInput: { path },
  });
  if (!turn.caps.fs?.readTextFile) {
    await turn.send({
      sessionUpdate: "tool_call_update",
      toolCallId,
      status: "completed",
      content: [{ type: "content", content: text("The client offers no file reading.") }],
    });
    return "I could not look at your files because the client does not offer file reading.";
  }
  try {
    const { content } = await turn.client.request(
      acp.methods.client.fs.readTextFile,
      { sessionId: turn.session.id, path, line: 1, limit: 200 },
      turn.requestOptions,
    );
    const lines = content === "" ? 0 : content.split("\n").length;
    const first = content.split("\n").find((line) => line.trim() !== "") ?? "";
    await turn.send({
      sessionUpdate: "tool_call_update",
      toolCallId,
      status: "completed",
      content: [{ type: "content", content: text(`Read ${lines} line(s) of README.md.`) }],
      rawOutput: { lines },
    });
    return first
      ? `Your README.md starts with "${shorten(first, 60)}".`
      : "Your README.md is empty.";
  } catch (error) {
    turn.check();
    const message = error instanceof Error ? error.message : String(error);
    log(`read ${path} failed: ${message}`);
    await turn.send({
      sessionUpdate: "tool_call_update",
      toolCallId,
      status: "failed",
      content: [{ type: "content", content: text(`Could not read README.md: ${message}`) }],
    });
    return "There is no README.md I could read in this workspace.";
  }
}

/** Asks permission, then writes `name` in the session cwd through the client. */
async function writeFile(turn: DemoTurn, name: string, request: string): Promise<string> {
  const { session, caps } = turn;
  const path = join(session.cwd, name);
  if (session.modeId === "plan") return `I am in plan mode, so I did not write ${name}.`;

  let oldText: string | null = null;
  if (caps.fs?.readTextFile) {
    try {
      oldText = (await turn.client.request(
        acp.methods.client.fs.readTextFile,
        { sessionId: session.id, path },
        turn.requestOptions,
      )).content;
    } catch {
      turn.check(); // A missing file is the normal case: it is new.
    }
  }
  const newText = `Hello from the mass demo agent!\nYou asked: ${shorten(request, 200)}\n`;
  const toolCallId = turn.nextToolId("write");
  const content: acp.ToolCallContent[] = [{ type: "diff", path, oldText, newText }];
  const toolCall: acp.ToolCallUpdate = {
    toolCallId,
    title: `Write ${name}`,
    kind: "edit",
    status: "pending",
    locations: [{ path }],
    content,
  };
  await turn.send({
    sessionUpdate: "tool_call",
    toolCallId,
    title: `Write ${name}`,
    kind: "edit",
    status: "pending",
    locations: [{ path }],
    content,
    rawInput: { path, content: newText },
  });

  const { outcome } = await turn.client.request(
    acp.methods.client.session.requestPermission,
    {
      sessionId: session.id,
      toolCall,
      options: [
        { optionId: "allow", name: "Allow", kind: "allow_once" },
        { optionId: "reject", name: "Reject", kind: "reject_once" },
      ],
    },
    turn.requestOptions,
  );
  turn.check();
  const allowed = outcome.outcome === "selected" && outcome.optionId === "allow";
  if (!allowed) {
    await turn.send({
      sessionUpdate: "tool_call_update",
      toolCallId,
      status: "failed",
      content: [{ type: "content", content: text("Permission denied; nothing was written.") }],
    });
    return `You did not allow me to write ${name}, so I left it alone.`;
  }
  if (!caps.fs?.writeTextFile) {
    await turn.send({
      sessionUpdate: "tool_call_update",
      toolCallId,
      status: "failed",
      content: [{ type: "content", content: text("The client offers no file writing.") }],
    });
    return `I was allowed to write ${name}, but the client does not offer file writing.`;
  }
  await turn.send({ sessionUpdate: "tool_call_update", toolCallId, status: "in_progress" });
  try {
    await turn.client.request(
      acp.methods.client.fs.writeTextFile,
      { sessionId: session.id, path, content: newText },
      turn.requestOptions,
    );
  } catch (error) {
    turn.check();
    const message = error instanceof Error ? error.message : String(error);
    await turn.send({
      sessionUpdate: "tool_call_update",
      toolCallId,
      status: "failed",
      content: [{ type: "content", content: text(`Write failed: ${message}`) }],
    });
    return `Writing ${name} failed: ${message}.`;
  }
  await turn.send({ sessionUpdate: "tool_call_update", toolCallId, status: "completed", content });
  return `I wrote ${name} for you.`;
}

/** The whole scripted turn; throws TurnCancelled when cancelled. */
async function runTurn(turn: DemoTurn, request: string): Promise<void> {
  const { session } = turn;
  const snippet = shorten(request, 80);
  if (session.history.length === 0) {
    await turn.send({
      sessionUpdate: "session_info_update",
      title: shorten(request, 40) || "Demo session",
      updatedAt: new Date().toISOString(),
    });
  }
  session.history.push({ role: "user", text: request });

  await turn.send({
    sessionUpdate: "agent_thought_chunk",
    content: text(`The user said "${snippet}". I will make a plan, look around and answer.`),
  });
  await turn.pause();
  await sendPlan(turn, 0);
  await turn.pause();
  await sendPlan(turn, 1);
  const readme = await readReadme(turn);
  await turn.pause();

  const target = writeTarget(request);
  const wrote = target ? await writeFile(turn, target, request) : "";
  await sendPlan(turn, 2);

  const model = DEMO_MODELS[session.model];
  const words = request.split(/\s+/).filter(Boolean).length;
  const reply = [
    `Hello from the mass demo agent! You wrote ${words} word(s): "${snippet}".`,
    readme,
    wrote,
    `I run offline as ${model.name} in ${session.modeId} mode, so I can only echo, plan and`,
    target ? "touch files." : `touch files; try "write hello.txt" to see a permission request.`,
  ].filter(Boolean).join(" ");
  let streamed = "";
  for (const group of wordGroups(reply)) {
    await turn.send({ sessionUpdate: "agent_message_chunk", content: text(group) });
    streamed += group;
    await turn.pause();
  }
  session.history.push({ role: "agent", text: streamed });
  await sendPlan(turn, 3);

  session.usedTokens += Math.ceil((request.length + reply.length) / 4) + 40;
  await turn.send({
    sessionUpdate: "usage_update",
    used: Math.min(session.usedTokens, model.contextSize),
    size: model.contextSize,
    cost: { amount: 0, currency: "USD" },
  });
}

/** Builds the demo agent app; all state lives in this closure. */
export function createDemoAgent(): acp.AgentApp {
  const sessions = new Map<string, DemoSession>();
  const client = { caps: {} as acp.ClientCapabilities };

  const getSession = (sessionId: string): DemoSession => {
    const session = sessions.get(sessionId);
    if (!session) throw acp.RequestError.sessionNotFound(sessionId);
    return session;
  };
  const openSession = (sessionId: string, cwd: string): DemoSession => {
    const known = sessions.get(sessionId);
    if (known) {
      known.cwd = cwd;
      return known;
    }
    const session: DemoSession = {
      id: sessionId,
      cwd,
      modeId: "default",
      model: "demo-small",
      history: [],
      usedTokens: 0,
      toolSeq: 0,
    };
    sessions.set(sessionId, session);
    return session;
  };
  const notify = (cx: acp.AgentContext, sessionId: string, update: acp.SessionUpdate) =>
    cx.notify(acp.methods.client.session.update, { sessionId, update });

  return acp.agent({ name: "mass-demo" })
    .onRequest(acp.methods.agent.initialize, ({ params }) => {
      client.caps = params.clientCapabilities ?? {};
      log(`initialize from ${params.clientInfo?.name ?? "unknown client"}`);
      return {
        protocolVersion: 1,
        agentInfo: DEMO_AGENT_INFO,
        authMethods: [],
        agentCapabilities: {
          loadSession: true,
          promptCapabilities: { embeddedContext: true },
          sessionCapabilities: { resume: {}, close: {} },
        },
      };
    })
    .onRequest(acp.methods.agent.authenticate, () => ({}))
    .onRequest(acp.methods.agent.session.new, ({ params, client: cx }) => {
      const session = openSession(crypto.randomUUID(), params.cwd);
      log(`session/new ${session.id} in ${session.cwd}`);
      // After the response is written, so the client already knows the session id.
      setTimeout(() => {
        notify(cx, session.id, {
          sessionUpdate: "available_commands_update",
          availableCommands: DEMO_COMMANDS,
        }).catch(() => {});
      }, 0);
      return {
        sessionId: session.id,
        modes: modeState(session),
        configOptions: configOptions(session),
      };
    })
    .onRequest(acp.methods.agent.session.load, async ({ params, client: cx }) => {
      const session = openSession(params.sessionId, params.cwd);
      log(`session/load ${session.id} (${session.history.length} message(s) to replay)`);
      for (const entry of session.history) {
        await notify(cx, session.id, {
          sessionUpdate: entry.role === "user" ? "user_message_chunk" : "agent_message_chunk",
          content: text(entry.text),
        });
      }
      return { modes: modeState(session), configOptions: configOptions(session) };
    })
    .onRequest(acp.methods.agent.session.resume, ({ params }) => {
      const session = openSession(params.sessionId, params.cwd);
      log(`session/resume ${session.id}`);
      return { modes: modeState(session), configOptions: configOptions(session) };
    })
    .onRequest(acp.methods.agent.session.close, ({ params }) => {
      sessions.get(params.sessionId)?.turn?.abort();
      sessions.delete(params.sessionId);
      return {};
    })
    .onRequest(acp.methods.agent.session.setMode, async ({ params, client: cx }) => {
      const session = getSession(params.sessionId);
      if (!DEMO_MODES.some((m) => m.id === params.modeId)) {
        throw acp.RequestError.invalidParams({ modeId: params.modeId }, "unknown mode");
      }
      session.modeId = params.modeId;
      await notify(cx, session.id, {
        sessionUpdate: "current_mode_update",
        currentModeId: session.modeId,
      });
      return {};
    })
    .onRequest(acp.methods.agent.session.setConfigOption, async ({ params, client: cx }) => {
      const session = getSession(params.sessionId);
      const value = params.value;
      if (params.configId !== "model" || typeof value !== "string" || !(value in DEMO_MODELS)) {
        throw acp.RequestError.invalidParams(
          { configId: params.configId, value },
          "unknown config option or value",
        );
      }
      session.model = value;
      await notify(cx, session.id, {
        sessionUpdate: "config_option_update",
        configOptions: configOptions(session),
      });
      return { configOptions: configOptions(session) };
    })
    .onRequest(acp.methods.agent.session.prompt, async ({ params, client: cx, signal }) => {
      const session = getSession(params.sessionId);
      if (session.turn) {
        throw acp.RequestError.invalidRequest(undefined, "a prompt turn is already running");
      }
      const turnControl = new AbortController();
      session.turn = turnControl;
      const turnSignal = AbortSignal.any([signal, turnControl.signal]);
      const turn = new DemoTurn(session, cx, client.caps, turnSignal);
      try {
        await runTurn(turn, promptText(params.prompt));
        return { stopReason: "end_turn" };
      } catch (error) {
        if (error instanceof TurnCancelled || turnSignal.aborted) {
          log(`turn in ${session.id} cancelled`);
          return { stopReason: "cancelled" };
        }
        throw error;
      } finally {
        session.turn = undefined;
      }
    })
    .onNotification(acp.methods.agent.session.cancel, ({ params }) => {
      const turn = sessions.get(params.sessionId)?.turn;
      log(`session/cancel ${params.sessionId}${turn ? "" : " (no turn running)"}`);
      turn?.abort();
    });
}

/** Serves `app` on stdin/stdout until stdin closes. */
export async function serveStdio(app: acp.AgentApp): Promise<void> {
  const connection = app.connect(acp.ndJsonStream(Deno.stdout.writable, Deno.stdin.readable));
  await connection.closed;
}

// In a bundle every module is `import.meta.main`; there `mass demo-agent` starts the agent.
if (import.meta.main && import.meta.url.endsWith("/demo_agent.ts")) {
  await serveStdio(createDemoAgent());
  log("stdin closed; exiting");
  Deno.exit(0);
}
