/**
 * The demo agent's scripted prompt turn: thought chunk -> plan -> `read` tool call of
 * README.md through the client -> optional `edit` tool call behind a permission request ->
 * streamed reply in word groups -> usage_update.
 */
import * as acp from "@agentclientprotocol/sdk";
import { join } from "node:path";
import { AcpTurn, textBlock as text } from "./acp_turn.ts";
import { DEMO_MODELS, type DemoSession, shorten, wordGroups, writeTarget } from "./demo_session.ts";

/** Delay between streamed steps: long enough to see streaming, short enough for a <1s turn. */
const STEP_MS = 20;

/** Logs to stderr (stdout carries the protocol). */
export function log(message: string): void {
  console.error(`[mass-demo] ${message}`);
}

/** One running prompt turn: sends updates and client requests unless cancelled. */
export class DemoTurn extends AcpTurn<DemoSession> {
  constructor(
    session: DemoSession,
    client: acp.AgentContext,
    readonly caps: acp.ClientCapabilities,
    signal: AbortSignal,
  ) {
    super(session, client, signal);
  }

  override pause(ms = STEP_MS): Promise<void> {
    return super.pause(ms);
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
export async function runTurn(turn: DemoTurn, request: string): Promise<void> {
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
