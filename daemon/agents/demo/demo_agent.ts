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
 * Launch: deno run -A daemon/agents/demo/demo_agent.ts
 */
import * as acp from "@agentclientprotocol/sdk";
import {
  cancelTurn,
  exclusiveTurn,
  serveStdio,
  textBlock as text,
  TurnCancelled,
} from "./acp_turn.ts";
import {
  configOptions,
  DEMO_AGENT_INFO,
  DEMO_COMMANDS,
  DEMO_MODELS,
  DEMO_MODES,
  type DemoSession,
  modeState,
  promptText,
} from "./demo_session.ts";
import { DemoTurn, log, runTurn } from "./demo_turn.ts";

export { serveStdio };

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
      return await exclusiveTurn(session, signal, async (turnSignal) => {
        const turn = new DemoTurn(session, cx, client.caps, turnSignal);
        try {
          await runTurn(turn, promptText(params.prompt));
          return { stopReason: "end_turn" as const };
        } catch (error) {
          if (error instanceof TurnCancelled || turnSignal.aborted) {
            log(`turn in ${session.id} cancelled`);
            return { stopReason: "cancelled" as const };
          }
          throw error;
        }
      });
    })
    .onNotification(acp.methods.agent.session.cancel, ({ params }) => {
      const running = sessions.get(params.sessionId)?.turn !== undefined;
      log(`session/cancel ${params.sessionId}${running ? "" : " (no turn running)"}`);
      cancelTurn(sessions.get(params.sessionId));
    });
}

// In a bundle every module is `import.meta.main`; there `mass demo-agent` starts the agent.
if (import.meta.main && import.meta.url.endsWith("/demo_agent.ts")) {
  await serveStdio(createDemoAgent());
  log("stdin closed; exiting");
  Deno.exit(0);
}
