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
 *   read_lines PATH LINE LIMIT
 *                          fs/read_text_file with line and limit; says "read_lines:ok:<content>"
 *                          or "read_lines:error:<msg>"
 *   write PATH TEXT        fs/write_text_file (TEXT with "\n" as newline), then says "write:ok"
 *                          or "write:error:<msg>". Relative PATHs are resolved against the cwd.
 *   caps                   says "caps:<clientCapabilities of initialize, as JSON>"
 *   env                    says "env:<the agent's whole environment, as a JSON object>"
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
import { parseArgs } from "node:util";
import { cancelTurn, exclusiveTurn, serveStdio, sleep } from "../../daemon/agents/demo/acp_turn.ts";
import {
  configOptions,
  log,
  MODES,
  modeState,
  type TestAgentHooks,
  type TestSession,
  Turn,
} from "./test_agent_turn.ts";
import { promptText, runScript } from "./test_agent_scripts.ts";

export type { TestAgentHooks } from "./test_agent_turn.ts";
export { parseScript, type ScriptStep, TEST_AGENT_COMMANDS } from "./test_agent_scripts.ts";
export {
  shellWords,
  splitWords,
  type TerminalCommand,
  terminalCommand,
} from "./test_agent_words.ts";

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
      return await exclusiveTurn(session, signal, async (turnSignal) => {
        const turn = new Turn(session, client, turnSignal, hooks);
        const stopReason = await runScript(turn, promptText(params.prompt));
        log(`turn in ${session.id} ended: ${stopReason}`);
        return { stopReason };
      });
    })
    .onNotification(acp.methods.agent.session.cancel, ({ params }) => {
      const running = sessions.get(params.sessionId)?.turn !== undefined;
      log(`session/cancel ${params.sessionId}${running ? "" : " (no turn running)"}`);
      cancelTurn(sessions.get(params.sessionId));
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
  await serveStdio(app, stdout.writable);
  if (!options.ignoreStdinClose) {
    log("stdin closed; exiting");
    Deno.exit(0);
  }
  log("stdin closed; staying alive (--ignore-stdin-close)");
  setInterval(() => {}, 1 << 30);
}

if (import.meta.main) await main();
