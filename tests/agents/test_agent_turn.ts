/**
 * A test-agent session and its running turn: the shared ACP turn (daemon/agents/demo/
 * acp_turn.ts) plus paths in the session cwd, terminals, and the process hooks.
 */
import * as acp from "@agentclientprotocol/sdk";
import { resolve } from "node:path";
import { AcpTurn, TurnCancelled } from "../../daemon/agents/demo/acp_turn.ts";
import { errorText, type TerminalCommand } from "./test_agent_words.ts";

/** Process-level hooks, e.g. to flush buffered stdout before the agent kills itself. */
export type TestAgentHooks = { beforeExit(): Promise<void> };

/** What the test agent remembers about one session. */
export type TestSession = {
  id: string;
  cwd: string;
  /** What the client sent in `initialize`. */
  clientCapabilities?: acp.ClientCapabilities;
  modeId: string;
  model: string;
  /** Aborted by session/cancel; present only while a turn runs. */
  turn?: AbortController;
};

/** The session modes offered. */
export const MODES: acp.SessionMode[] = [
  { id: "default", name: "Default" },
  { id: "plan", name: "Plan" },
];

/** Logs to stderr (stdout carries the protocol). */
export function log(message: string): void {
  console.error(`[test-agent ${Deno.pid}] ${message}`);
}

/** Ends the turn early with a chosen stop reason. */
export class TurnStopped extends Error {
  constructor(readonly reason: acp.StopReason) {
    super(`turn stopped: ${reason}`);
  }
}

/** The `modes` of `session`. */
export function modeState(session: TestSession): acp.SessionModeState {
  return { currentModeId: session.modeId, availableModes: MODES };
}

/** The config options of `session`: the `model` select. */
export function configOptions(session: TestSession): acp.SessionConfigOption[] {
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

/** One running prompt turn (the shared ACP turn, plus paths, terminals and exit hooks). */
export class Turn extends AcpTurn<TestSession> {
  constructor(
    session: TestSession,
    client: acp.AgentContext,
    signal: AbortSignal,
    readonly hooks: TestAgentHooks,
  ) {
    super(session, client, signal);
  }

  path(path: string): string {
    return resolve(this.session.cwd, path);
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
