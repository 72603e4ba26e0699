#!/usr/bin/env -S deno run -A
/**
 * Scriptable ACP (protocol version 1) test agent. It speaks newline-delimited JSON-RPC on
 * stdin/stdout, logs only to stderr, and does in each session/prompt exactly what the prompt
 * text says: one command per line, run in order. A line whose first word is not a command is
 * echoed back; consecutive such lines form one agent_message_chunk. Blank lines are skipped.
 *
 * Commands (TEXT / TITLE / MSG are the rest of the line):
 *   chunks N [SIZE]        N agent_message_chunk updates "chunk-000000" … (index from 0, padded
 *                          to 6 digits); with SIZE, each text is padded with "x" to SIZE chars.
 *                          No timers: sent back to back, as fast as the pipe takes them.
 *   delay MS               sleep MS ms; a session/cancel ends the turn with "cancelled"
 *   say TEXT               agent_message_chunk
 *   thought TEXT           agent_thought_chunk
 *   tool ID KIND TITLE     tool_call (status pending)
 *   tool_update ID STATUS  tool_call_update with that status
 *   plan [STATUS…]         plan with one entry "step <n>" per STATUS (default: 3 pending)
 *   commands               available_commands_update (/echo, /test)
 *   mode ID                current_mode_update (and the session's mode becomes ID)
 *   config                 config_option_update with the current config options
 *   session_info TITLE     session_info_update with TITLE and the current time
 *   usage USED SIZE        usage_update
 *   update JSON            session/update whose `update` field is JSON, sent as is
 *   permission KIND TITLE  session/request_permission (tool kind KIND; options allow_once,
 *                          allow_always, reject_once, reject_always, optionId = kind), then
 *                          says "permission:<selected|cancelled>:<optionId|none>". Waits for
 *                          the client's answer even after session/cancel (ACP v1: the
 *                          client must answer "cancelled").
 *   read PATH              fs/read_text_file, then says "read:ok:<content>" or "read:error:<msg>"
 *   write PATH TEXT        fs/write_text_file (TEXT with "\n" as newline), then says "write:ok"
 *                          or "write:error:<msg>". Relative PATHs are resolved against the cwd.
 *   caps                   says "caps:<clientCapabilities of initialize, as JSON>"
 *   sh SCRIPT              runs /bin/sh -c SCRIPT itself in the session cwd (the rest of the
 *                          line), says "sh:<exit code>:<stdout+stderr, newlines as \n>"
 *   terminal [K=V…] CMD [ARG…]
 *                          terminal/create (CMD ARG… in the session cwd; leading K=V words are
 *                          its env), says "terminal:created:<id>", then terminal/wait_for_exit,
 *                          terminal/output, terminal/release; says
 *                          "terminal:exit:<code, or signal>:<output, newlines as \n>"
 *   terminal_kill [K=V…] CMD [ARG…]
 *                          terminal/create; terminal/kill as soon as the command has written
 *                          output (at most 500 ms after create); wait_for_exit, output, release;
 *                          says "terminal_kill:exit:<code|null>:<signal|null>:<output>"
 *   terminal_limit N [K=V…] CMD [ARG…]
 *                          terminal/create with outputByteLimit N, wait_for_exit, output,
 *                          release; says "terminal_limit:<truncated|complete>:<output>"
 *                          A terminal/* failure says "<command>:error:<msg>" instead. Words are
 *                          split like a shell's ('…', "…", \). A cancel while waiting for exit
 *                          ends the turn and leaves the terminal to the client (no release).
 *   stop [REASON]          end the turn now with REASON (default end_turn)
 *   error [CODE] MSG       fail session/prompt with JSON-RPC error CODE (default -32603)
 *   crash [CODE]           exit the process at once with CODE (default 1)
 *   signal                 SIGKILL itself
 *   kill [SIG]             send signal SIG (default SIGTERM) to itself
 *                          (crash / signal / kill first flush what is already written)
 *   hang                   wait until session/cancel, then end with "cancelled"
 *   hang_hard              never answer, even after session/cancel
 * A turn that runs off the end answers end_turn; a cancel noticed between steps (and
 * between chunks) answers "cancelled". A bad argument fails the prompt with -32602.
 *
 * Sessions: session/new gives a uuid; session/load and session/resume accept any id (load
 * replays nothing) and log it to stderr; session/close, session/set_mode (default|plan) and
 * session/set_config_option (model: test-small|test-large) answer without updates. One turn
 * per session at a time.
 *
 * Flags: --ignore-stdin-close (or env TEST_AGENT_IGNORE_EOF=1) keep running after stdin EOF;
 * --ignore-sigterm; --no-load / --no-resume turn off session/load / session/resume;
 * --init-delay MS delays the initialize answer; --fail-new fails session/new (-32603);
 * --auth-required fails session/new and session/prompt with -32000.
 *
 * Launch: deno run -A tests/agents/test_agent.ts [flags]
 */
import * as acp from "@agentclientprotocol/sdk";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

export type TestAgentOptions = {
  ignoreStdinClose: boolean;
  ignoreSigterm: boolean;
  loadSession: boolean;
  resumeSession: boolean;
  initDelayMs: number;
  failNew: boolean;
  authRequired: boolean;
};

export function parseTestAgentArgs(
  args: string[],
  env: (name: string) => string | undefined,
): TestAgentOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      "ignore-stdin-close": { type: "boolean", default: false },
      "ignore-sigterm": { type: "boolean", default: false },
      "no-load": { type: "boolean", default: false },
      "no-resume": { type: "boolean", default: false },
      "init-delay": { type: "string", default: "0" },
      "fail-new": { type: "boolean", default: false },
      "auth-required": { type: "boolean", default: false },
    },
  });
  return {
    ignoreStdinClose: values["ignore-stdin-close"] || env("TEST_AGENT_IGNORE_EOF") === "1",
    ignoreSigterm: values["ignore-sigterm"],
    loadSession: !values["no-load"],
    resumeSession: !values["no-resume"],
    initDelayMs: Number(values["init-delay"]) || 0,
    failNew: values["fail-new"],
    authRequired: values["auth-required"],
  };
}

/** Process-level hooks, e.g. to flush buffered stdout before the agent kills itself. */
export type TestAgentHooks = { beforeExit(): Promise<void> };

type TestSession = {
  id: string;
  cwd: string;
  /** What the client sent in `initialize`. */
  clientCapabilities?: acp.ClientCapabilities;
  modeId: string;
  model: string;
  /** Aborted by session/cancel; present only while a turn runs. */
  turn?: AbortController;
};

const MODES: acp.SessionMode[] = [
  { id: "default", name: "Default" },
  { id: "plan", name: "Plan" },
];

const PERMISSION_KINDS: acp.PermissionOptionKind[] = [
  "allow_once",
  "allow_always",
  "reject_once",
  "reject_always",
];

function log(message: string): void {
  console.error(`[test-agent ${Deno.pid}] ${message}`);
}

class TurnCancelled extends Error {
  constructor() {
    super("turn cancelled");
  }
}

/** Ends the turn early with a chosen stop reason. */
class TurnStopped extends Error {
  constructor(readonly reason: acp.StopReason) {
    super(`turn stopped: ${reason}`);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted) return done();
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      done();
    };
    const timer = setTimeout(finish, ms);
    signal?.addEventListener("abort", finish, { once: true });
  });
}

function modeState(session: TestSession): acp.SessionModeState {
  return { currentModeId: session.modeId, availableModes: MODES };
}

function configOptions(session: TestSession): acp.SessionConfigOption[] {
  return [{
    id: "model",
    name: "Model",
    category: "model",
    type: "select",
    currentValue: session.model,
    options: [{ value: "test-small", name: "Test Small" }, {
      value: "test-large",
      name: "Test Large",
    }],
  }];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Splits off the first `n` words of `line`; returns them and the rest of the line. */
export function splitWords(line: string, n: number): [string[], string] {
  const words: string[] = [];
  let rest = line.trim();
  for (let i = 0; i < n && rest !== ""; i++) {
    const match = /^(\S+)\s*/.exec(rest)!;
    words.push(match[1]);
    rest = rest.slice(match[0].length);
  }
  return [words, rest];
}

/**
 * Splits `line` into words as a POSIX shell would, without expansions: whitespace separates,
 * '…' quotes literally, "…" quotes with \ escaping " and \, and a bare \ escapes any character.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw acp.RequestError.invalidParams({ line }, "unterminated '");
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= "";
      for (i++; line[i] !== '"'; i++) {
        if (i >= line.length) throw acp.RequestError.invalidParams({ line }, 'unterminated "');
        if (line[i] === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) i++;
        word += line[i];
      }
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

export type TerminalCommand = { command: string; args: string[]; env: acp.EnvVariable[] };

/** `[K=V…] CMD [ARG…]`: leading K=V words become the terminal's env, as in a shell. */
export function terminalCommand(rest: string): TerminalCommand {
  const words = shellWords(rest);
  const env: acp.EnvVariable[] = [];
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) {
    const word = words.shift()!;
    const eq = word.indexOf("=");
    env.push({ name: word.slice(0, eq), value: word.slice(eq + 1) });
  }
  const [command, ...args] = words;
  if (command === undefined) throw acp.RequestError.invalidParams({ rest }, "CMD is required");
  return { command, args, env };
}

/** `terminal_kill` kills a command that has written nothing after this long. */
const KILL_AFTER_MS = 500;

function oneLine(text: string): string {
  return text.replaceAll("\n", "\\n");
}

function integer(word: string | undefined, what: string): number {
  const value = Number(word);
  if (word === undefined || !Number.isInteger(value)) {
    throw acp.RequestError.invalidParams({ word }, `${what} must be an integer`);
  }
  return value;
}

/** One running prompt turn. */
class Turn {
  constructor(
    readonly session: TestSession,
    readonly client: acp.AgentContext,
    readonly signal: AbortSignal,
    readonly hooks: TestAgentHooks,
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

  say(text: string): Promise<void> {
    return this.send({ sessionUpdate: "agent_message_chunk", content: { type: "text", text } });
  }

  path(path: string): string {
    return resolve(this.session.cwd, path);
  }

  /** `p`, unless the turn is cancelled first (then TurnCancelled; `p` is left to settle). */
  async unlessCancelled<T>(p: Promise<T>): Promise<T> {
    p.catch(() => {});
    let onAbort = () => {};
    const cancelled = new Promise<never>((_, reject) => {
      onAbort = () => reject(new TurnCancelled());
      if (this.signal.aborted) onAbort();
      else this.signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([p, cancelled]);
    } finally {
      this.signal.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Runs `use` on a new terminal, then releases it, and says "<name>:<what use returned>"
   * or "<name>:error:<message>". A cancelled turn leaves the terminal unreleased.
   */
  async withTerminal(
    name: string,
    cmd: TerminalCommand,
    outputByteLimit: number | undefined,
    use: (terminalId: string) => Promise<string>,
  ): Promise<void> {
    this.check();
    const sessionId = this.session.id;
    let terminalId: string | undefined;
    let reply: string;
    try {
      ({ terminalId } = await this.client.request(acp.methods.client.terminal.create, {
        sessionId,
        ...cmd,
        cwd: this.session.cwd,
        ...(outputByteLimit === undefined ? {} : { outputByteLimit }),
      }));
      await this.say(`${name}:created:${terminalId}`);
      reply = `${name}:${await use(terminalId)}`;
    } catch (error) {
      if (error instanceof TurnCancelled) throw error;
      reply = `${name}:error:${errorText(error)}`;
    }
    if (terminalId !== undefined) {
      try {
        await this.client.request(acp.methods.client.terminal.release, { sessionId, terminalId });
      } catch (error) {
        reply = `${name}:error:release: ${errorText(error)}`;
      }
    }
    await this.say(reply);
  }

  waitForExit(terminalId: string): Promise<acp.WaitForTerminalExitResponse> {
    return this.unlessCancelled(
      this.client.request(acp.methods.client.terminal.waitForExit, {
        sessionId: this.session.id,
        terminalId,
      }),
    );
  }

  output(terminalId: string): Promise<acp.TerminalOutputResponse> {
    return this.client.request(acp.methods.client.terminal.output, {
      sessionId: this.session.id,
      terminalId,
    });
  }
}

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

async function runScript(turn: Turn, text: string): Promise<acp.StopReason> {
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

function promptText(blocks: acp.ContentBlock[]): string {
  return blocks.map((b) => (b.type === "text" ? b.text : "")).join("\n");
}

/** Builds the test agent app; all state lives in this closure. */
export function createTestAgent(
  options: TestAgentOptions,
  hooks: TestAgentHooks = { beforeExit: () => Promise.resolve() },
): acp.AgentApp {
  const sessions = new Map<string, TestSession>();
  let clientCapabilities: acp.ClientCapabilities | undefined;

  const getSession = (sessionId: string): TestSession => {
    const session = sessions.get(sessionId);
    if (!session) throw acp.RequestError.sessionNotFound(sessionId);
    return session;
  };
  const openSession = (id: string, cwd: string): TestSession => {
    const session = sessions.get(id) ?? { id, cwd, modeId: "default", model: "test-small" };
    session.cwd = cwd;
    session.clientCapabilities = clientCapabilities;
    sessions.set(id, session);
    return session;
  };

  return acp.agent({ name: "mass-test-agent" })
    .onRequest(acp.methods.agent.initialize, async ({ params }) => {
      log(`initialize (client protocolVersion ${params.protocolVersion})`);
      clientCapabilities = params.clientCapabilities;
      if (options.initDelayMs > 0) await sleep(options.initDelayMs);
      return {
        protocolVersion: 1,
        agentInfo: { name: "mass-test-agent", version: "0.1.0" },
        authMethods: [],
        agentCapabilities: {
          loadSession: options.loadSession,
          sessionCapabilities: {
            ...(options.resumeSession ? { resume: {} } : {}),
            close: {},
          },
        },
      };
    })
    .onRequest(acp.methods.agent.authenticate, () => ({}))
    .onRequest(acp.methods.agent.session.new, ({ params }) => {
      if (options.authRequired) throw acp.RequestError.authRequired();
      if (options.failNew) throw new acp.RequestError(-32603, "session/new failed (--fail-new)");
      const session = openSession(crypto.randomUUID(), params.cwd);
      log(`session/new ${session.id} cwd=${session.cwd}`);
      return {
        sessionId: session.id,
        modes: modeState(session),
        configOptions: configOptions(session),
      };
    })
    .onRequest(acp.methods.agent.session.load, ({ params }) => {
      if (!options.loadSession) throw acp.RequestError.methodNotFound("session/load");
      // Accepts any id and replays nothing: the test agent keeps no history.
      const session = openSession(params.sessionId, params.cwd);
      log(`session/load ${session.id} cwd=${session.cwd}`);
      return { modes: modeState(session), configOptions: configOptions(session) };
    })
    .onRequest(acp.methods.agent.session.resume, ({ params }) => {
      if (!options.resumeSession) throw acp.RequestError.methodNotFound("session/resume");
      const session = openSession(params.sessionId, params.cwd);
      log(`session/resume ${session.id} cwd=${session.cwd}`);
      return { modes: modeState(session), configOptions: configOptions(session) };
    })
    .onRequest(acp.methods.agent.session.close, ({ params }) => {
      log(`session/close ${params.sessionId}`);
      sessions.get(params.sessionId)?.turn?.abort();
      sessions.delete(params.sessionId);
      return {};
    })
    .onRequest(acp.methods.agent.session.setMode, ({ params }) => {
      const session = getSession(params.sessionId);
      if (!MODES.some((m) => m.id === params.modeId)) {
        throw acp.RequestError.invalidParams({ modeId: params.modeId }, "unknown mode");
      }
      session.modeId = params.modeId;
      log(`session/set_mode ${session.id} ${session.modeId}`);
      return {};
    })
    .onRequest(acp.methods.agent.session.setConfigOption, ({ params }) => {
      const session = getSession(params.sessionId);
      const value = params.value;
      if (params.configId !== "model" || (value !== "test-small" && value !== "test-large")) {
        throw acp.RequestError.invalidParams(
          { configId: params.configId, value },
          "unknown config option or value",
        );
      }
      session.model = value;
      log(`session/set_config_option ${session.id} model=${value}`);
      return { configOptions: configOptions(session) };
    })
    .onRequest(acp.methods.agent.session.prompt, async ({ params, client, signal }) => {
      if (options.authRequired) throw acp.RequestError.authRequired();
      const session = getSession(params.sessionId);
      if (session.turn) {
        throw acp.RequestError.invalidRequest(undefined, "a prompt turn is already running");
      }
      const control = new AbortController();
      session.turn = control;
      try {
        const turn = new Turn(session, client, AbortSignal.any([signal, control.signal]), hooks);
        const stopReason = await runScript(turn, promptText(params.prompt));
        log(`turn in ${session.id} ended: ${stopReason}`);
        return { stopReason };
      } finally {
        if (session.turn === control) session.turn = undefined;
      }
    })
    .onNotification(acp.methods.agent.session.cancel, ({ params }) => {
      const turn = sessions.get(params.sessionId)?.turn;
      log(`session/cancel ${params.sessionId}${turn ? "" : " (no turn running)"}`);
      turn?.abort();
    });
}

/**
 * Stdout that batches small writes: the first write goes out at once, and everything written
 * while it is in flight goes out together in the next write. Per-message writes cost one
 * syscall each (~45 µs here), which would cap `chunks` far below what the pipe can carry.
 * A write waits only when more than `highWater` bytes are queued (back-pressure).
 */
export function coalescingWritable(
  target: WritableStream<Uint8Array>,
  highWater = 1 << 16,
): { writable: WritableStream<Uint8Array>; drain(): Promise<void> } {
  const writer = target.getWriter();
  let queued: Uint8Array[] = [];
  let queuedBytes = 0;
  let flushing: Promise<void> | undefined;
  let failure: unknown;

  const pump = async () => {
    while (queued.length > 0) {
      const parts = queued;
      const batch = new Uint8Array(queuedBytes);
      queued = [];
      queuedBytes = 0;
      let offset = 0;
      for (const part of parts) {
        batch.set(part, offset);
        offset += part.byteLength;
      }
      await writer.write(batch);
    }
  };
  const flush = (): Promise<void> => {
    flushing ??= pump().catch((error) => {
      failure = error;
    }).finally(() => {
      flushing = undefined;
    });
    return flushing;
  };
  const drain = async () => {
    while (flushing || queued.length > 0) await flush();
    if (failure) throw failure;
  };
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (failure) throw failure;
      queued.push(chunk);
      queuedBytes += chunk.byteLength;
      const inFlight = flush();
      return queuedBytes > highWater ? inFlight : undefined;
    },
    async close() {
      await drain();
      await writer.close();
    },
  });
  return { writable, drain };
}

async function main(): Promise<void> {
  const options = parseTestAgentArgs(Deno.args, (name) => Deno.env.get(name));
  if (options.ignoreSigterm) {
    Deno.addSignalListener("SIGTERM", () => log("SIGTERM ignored"));
  }
  const stdout = coalescingWritable(Deno.stdout.writable);
  const app = createTestAgent(options, { beforeExit: () => stdout.drain().catch(() => {}) });
  const connection = app.connect(acp.ndJsonStream(stdout.writable, Deno.stdin.readable));
  await connection.closed;
  if (!options.ignoreStdinClose) {
    log("stdin closed; exiting");
    Deno.exit(0);
  }
  log("stdin closed; staying alive (--ignore-stdin-close)");
  setInterval(() => {}, 1 << 30);
}

if (import.meta.main) await main();
