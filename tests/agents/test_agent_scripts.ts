/**
 * The test agent's script: the commands a prompt line can name (see test_agent.ts for the
 * list), parsing prompt text into steps, and running them on a turn.
 */
import * as acp from "@agentclientprotocol/sdk";
import { sleep, TurnCancelled } from "../../daemon/agents/demo/acp_turn.ts";
import { configOptions, log, type Turn, TurnStopped } from "./test_agent_turn.ts";
import { errorText, integer, oneLine, splitWords, terminalCommand } from "./test_agent_words.ts";

const PERMISSION_KINDS: acp.PermissionOptionKind[] = [
  "allow_once",
  "allow_always",
  "reject_once",
  "reject_always",
];

/** `terminal_kill` kills a command that has written nothing after this long. */
const KILL_AFTER_MS = 500;

/** A command gets the turn and the line without its command word. */
type Command = (turn: Turn, rest: string) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  async chunks(turn, rest) {
    const [[count, size]] = splitWords(rest, 2);
    const n = integer(count, "chunks N");
    const width = size === undefined ? 0 : integer(size, "chunks SIZE");
    for (let i = 0; i < n; i++) {
      const label = `chunk-${String(i).padStart(6, "0")}`;
      await turn.say(width > label.length ? label + "x".repeat(width - label.length) : label);
    }
  },
  async delay(turn, rest) {
    await sleep(integer(rest.trim(), "delay MS"), turn.signal);
  },
  say: (turn, rest) => turn.say(rest),
  thought: (turn, rest) =>
    turn.send({ sessionUpdate: "agent_thought_chunk", content: { type: "text", text: rest } }),
  tool(turn, rest) {
    const [[toolCallId, kind], title] = splitWords(rest, 2);
    return turn.send({
      sessionUpdate: "tool_call",
      toolCallId,
      kind: kind as acp.ToolKind,
      title,
      status: "pending",
    });
  },
  tool_update(turn, rest) {
    const [[toolCallId, status]] = splitWords(rest, 2);
    return turn.send({
      sessionUpdate: "tool_call_update",
      toolCallId,
      status: status as acp.ToolCallStatus,
    });
  },
  plan(turn, rest) {
    const [statuses] = splitWords(rest, Infinity);
    const list = statuses.length > 0 ? statuses : ["pending", "pending", "pending"];
    return turn.send({
      sessionUpdate: "plan",
      entries: list.map((status, i) => ({
        content: `step ${i + 1}`,
        priority: "medium",
        status: status as acp.PlanEntryStatus,
      })),
    });
  },
  commands: (turn) =>
    turn.send({
      sessionUpdate: "available_commands_update",
      availableCommands: [
        { name: "echo", description: "Echo the input", input: { hint: "text to echo" } },
        { name: "test", description: "Run the test script" },
      ],
    }),
  mode(turn, rest) {
    turn.session.modeId = rest.trim();
    return turn.send({ sessionUpdate: "current_mode_update", currentModeId: turn.session.modeId });
  },
  config: (turn) =>
    turn.send({
      sessionUpdate: "config_option_update",
      configOptions: configOptions(turn.session),
    }),
  session_info: (turn, rest) =>
    turn.send({
      sessionUpdate: "session_info_update",
      title: rest,
      updatedAt: new Date().toISOString(),
    }),
  usage(turn, rest) {
    const [[used, size]] = splitWords(rest, 2);
    return turn.send({
      sessionUpdate: "usage_update",
      used: integer(used, "usage USED"),
      size: integer(size, "usage SIZE"),
    });
  },
  update(turn, rest) {
    let update: acp.SessionUpdate;
    try {
      update = JSON.parse(rest);
    } catch (error) {
      throw acp.RequestError.invalidParams({ json: rest }, `update JSON: ${errorText(error)}`);
    }
    return turn.send(update);
  },
  async permission(turn, rest) {
    const [[kind], title] = splitWords(rest, 1);
    turn.check();
    const request: acp.RequestPermissionRequest = {
      sessionId: turn.session.id,
      toolCall: {
        toolCallId: `permission-${crypto.randomUUID().slice(0, 8)}`,
        kind: (kind ?? "other") as acp.ToolKind,
        title: title || "Test permission",
        status: "pending",
      },
      options: PERMISSION_KINDS.map((k) => ({ optionId: k, name: k.replace("_", " "), kind: k })),
    };
    const { outcome } = await turn.client.request(
      acp.methods.client.session.requestPermission,
      request,
    );
    const optionId = outcome.outcome === "selected" ? outcome.optionId : "none";
    await turn.say(`permission:${outcome.outcome}:${optionId}`);
  },
  async read(turn, rest) {
    turn.check();
    let reply: string;
    try {
      const { content } = await turn.client.request(acp.methods.client.fs.readTextFile, {
        sessionId: turn.session.id,
        path: turn.path(rest.trim()),
      });
      reply = `read:ok:${content}`;
    } catch (error) {
      reply = `read:error:${errorText(error)}`;
    }
    await turn.say(reply);
  },
  async read_lines(turn, rest) {
    const [path, line, limit] = rest.trim().split(/\s+/);
    turn.check();
    let reply: string;
    try {
      const { content } = await turn.client.request(acp.methods.client.fs.readTextFile, {
        sessionId: turn.session.id,
        path: turn.path(path ?? ""),
        line: Number(line),
        limit: Number(limit),
      });
      reply = `read_lines:ok:${content}`;
    } catch (error) {
      reply = `read_lines:error:${errorText(error)}`;
    }
    await turn.say(reply);
  },
  async write(turn, rest) {
    const [[path], text] = splitWords(rest, 1);
    turn.check();
    let reply = "write:ok";
    try {
      await turn.client.request(acp.methods.client.fs.writeTextFile, {
        sessionId: turn.session.id,
        path: turn.path(path ?? ""),
        content: text.replaceAll("\\n", "\n"),
      });
    } catch (error) {
      reply = `write:error:${errorText(error)}`;
    }
    await turn.say(reply);
  },
  caps: (turn) => turn.say(`caps:${JSON.stringify(turn.session.clientCapabilities ?? null)}`),
  env: (turn) => turn.say(`env:${JSON.stringify(Deno.env.toObject())}`),
  async sh(turn, rest) {
    turn.check();
    // The agent's own process (not terminal/*): what an agent can do on its own, e.g. in the
    // sandbox escape tests. stdout then stderr, so the error text follows what was printed.
    const out = await new Deno.Command("/bin/sh", {
      args: ["-c", rest],
      cwd: turn.session.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    const text = dec.decode(out.stdout) + dec.decode(out.stderr);
    await turn.say(`sh:${out.code}:${oneLine(text)}`);
  },
  terminal(turn, rest) {
    return turn.withTerminal("terminal", terminalCommand(rest), undefined, async (id) => {
      const exit = await turn.waitForExit(id);
      const { output } = await turn.output(id);
      return `exit:${exit.exitCode ?? exit.signal ?? null}:${oneLine(output)}`;
    });
  },
  terminal_kill(turn, rest) {
    return turn.withTerminal("terminal_kill", terminalCommand(rest), undefined, async (id) => {
      // Kill once the command has shown it runs (written output), or after a short wait.
      const until = Date.now() + KILL_AFTER_MS;
      while (Date.now() < until && (await turn.output(id)).output === "") {
        await sleep(20, turn.signal);
        turn.check();
      }
      await turn.client.request(acp.methods.client.terminal.kill, {
        sessionId: turn.session.id,
        terminalId: id,
      });
      const exit = await turn.waitForExit(id);
      const { output } = await turn.output(id);
      return `exit:${exit.exitCode ?? null}:${exit.signal ?? null}:${oneLine(output)}`;
    });
  },
  terminal_limit(turn, rest) {
    const [[n], tail] = splitWords(rest, 1);
    const limit = integer(n, "terminal_limit N");
    return turn.withTerminal("terminal_limit", terminalCommand(tail), limit, async (id) => {
      await turn.waitForExit(id);
      const { output, truncated } = await turn.output(id);
      return `${truncated ? "truncated" : "complete"}:${oneLine(output)}`;
    });
  },
  stop(_turn, rest) {
    throw new TurnStopped((rest.trim() || "end_turn") as acp.StopReason);
  },
  error(_turn, rest) {
    const [[first], tail] = splitWords(rest, 1);
    const code = Number(first);
    if (first !== undefined && /^-?\d+$/.test(first)) {
      throw new acp.RequestError(code, tail || "test agent error");
    }
    throw new acp.RequestError(-32603, rest || "test agent error");
  },
  async crash(turn, rest) {
    const code = rest.trim() === "" ? 1 : integer(rest.trim(), "crash CODE");
    log(`crash ${code}`);
    await turn.hooks.beforeExit();
    Deno.exit(code);
  },
  async signal(turn) {
    log("SIGKILL to self");
    await turn.hooks.beforeExit();
    Deno.kill(Deno.pid, "SIGKILL");
    await new Promise(() => {});
  },
  async kill(turn, rest) {
    const sig = (rest.trim() || "SIGTERM") as Deno.Signal;
    log(`${sig} to self`);
    await turn.hooks.beforeExit();
    Deno.kill(Deno.pid, sig);
    await sleep(0); // let the signal land before the next command
  },
  async hang(turn) {
    await new Promise<void>((done) => {
      if (turn.signal.aborted) return done();
      turn.signal.addEventListener("abort", () => done(), { once: true });
    });
  },
  hang_hard() {
    return new Promise(() => {});
  },
};

export const TEST_AGENT_COMMANDS: readonly string[] = Object.keys(COMMANDS);

export type ScriptStep = { command: string; rest: string } | { echo: string };

/** Turns prompt text into steps; consecutive non-command lines become one echo step. */
export function parseScript(text: string): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    const [[word], rest] = splitWords(line, 1);
    if (Object.hasOwn(COMMANDS, word)) {
      steps.push({ command: word, rest });
      continue;
    }
    const last = steps.at(-1);
    if (last && "echo" in last) last.echo += `\n${line}`;
    else steps.push({ echo: line });
  }
  return steps;
}

/** Runs the steps of `text` on `turn`; answers its stop reason. */
export async function runScript(turn: Turn, text: string): Promise<acp.StopReason> {
  try {
    for (const step of parseScript(text)) {
      turn.check();
      if ("echo" in step) await turn.say(step.echo);
      else await COMMANDS[step.command](turn, step.rest);
    }
    turn.check();
    return "end_turn";
  } catch (error) {
    if (error instanceof TurnStopped) return error.reason;
    if (error instanceof TurnCancelled || turn.signal.aborted) return "cancelled";
    throw error;
  }
}

/** The text blocks of a prompt, one per line. */
export function promptText(blocks: acp.ContentBlock[]): string {
  return blocks.map((b) => (b.type === "text" ? b.text : "")).join("\n");
}
