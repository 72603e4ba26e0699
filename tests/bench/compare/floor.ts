/**
 * The floor: the benchmark itself spawns the agent and speaks ACP to it with the SDK's
 * client side, with nothing in between. Every other way is measured against this one.
 */
import * as acp from "@agentclientprotocol/sdk";
import { killChild } from "../../support/process.ts";
import { deadline } from "../../support/wait.ts";
import type { AgentCommand } from "./agents.ts";

/** One agent process and its ACP session, owned by the benchmark. */
export class FloorSession {
  onUpdate: (n: acp.SessionNotification) => void = () => {};

  private constructor(
    readonly child: Deno.ChildProcess,
    readonly conn: acp.ClientConnection,
    public sessionId = "",
  ) {}

  /** Spawns `agent` in `cwd`, initializes and opens a session (create → idle). */
  static async open(agent: AgentCommand, cwd: string): Promise<FloorSession> {
    const child = new Deno.Command(agent.cmd, {
      args: agent.args,
      cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const box: { session?: FloorSession } = {};
    const app = acp.client({ name: "floor" })
      .onNotification(acp.methods.client.session.update, ({ params }) => {
        box.session?.onUpdate(params);
      })
      .onRequest(acp.methods.client.session.requestPermission, ({ params }) => {
        const allow = params.options.find((o) => o.kind.startsWith("allow")) ?? params.options[0];
        return { outcome: { outcome: "selected", optionId: allow.optionId } };
      })
      .onRequest(acp.methods.client.fs.readTextFile, async ({ params }) => ({
        content: await Deno.readTextFile(params.path).catch(() => ""),
      }))
      .onRequest(acp.methods.client.fs.writeTextFile, async ({ params }) => {
        await Deno.writeTextFile(params.path, params.content);
        return {};
      });
    const conn = app.connect(acp.ndJsonStream(child.stdin, child.stdout));
    const session = new FloorSession(child, conn);
    box.session = session;
    try {
      await deadline(
        conn.agent.request(acp.methods.agent.initialize, {
          protocolVersion: 1,
          clientCapabilities: { fs: { readTextFile: true, writeTextFile: true } },
          clientInfo: { name: "floor", version: "0" },
        }),
        60_000,
        "floor initialize",
      );
      const res = await deadline(
        conn.agent.request(acp.methods.agent.session.new, { cwd, mcpServers: [] }),
        60_000,
        "floor session/new",
      );
      session.sessionId = res.sessionId;
      return session;
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  /**
   * One prompt turn: ms to the first agent message chunk and to the end of the turn, and
   * how many session/update notifications arrived.
   */
  async prompt(text: string): Promise<{ firstMs: number; turnMs: number; updates: number }> {
    let firstMs = NaN;
    let updates = 0;
    const t0 = performance.now();
    this.onUpdate = (n) => {
      updates++;
      if (Number.isNaN(firstMs) && n.update.sessionUpdate === "agent_message_chunk") {
        firstMs = performance.now() - t0;
      }
    };
    await deadline(
      this.conn.agent.request(acp.methods.agent.session.prompt, {
        sessionId: this.sessionId,
        prompt: [{ type: "text", text }],
      }),
      300_000,
      "floor session/prompt",
    );
    const turnMs = performance.now() - t0;
    this.onUpdate = () => {};
    return { firstMs, turnMs, updates };
  }

  /** Kills the agent (it is our child) and waits for it. */
  async close(): Promise<void> {
    this.conn.close();
    killChild(this.child);
    await this.child.status;
  }
}
