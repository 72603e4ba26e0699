/**
 * An ACP client (the SDK's client side) driving `massctl agentrun acp` as a real subprocess,
 * plus a daemon with a workspace and the test agent, for the tests/ctl/acp_*_test.ts files.
 */
import * as acp from "@agentclientprotocol/sdk";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import type { RunKey } from "../../specs/ari.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { killChild } from "../support/process.ts";
import { deadline, until } from "../support/wait.ts";
import {
  type DaemonProcess,
  MASSCTL,
  REPO,
  startDaemonProcess,
  TEST_AGENT,
} from "./cli_helpers.ts";

export const WAIT_MS = 30_000;
export const KEY: RunKey = { workspace: "w", name: "r" };

export interface AcpProc {
  child: Deno.ChildProcess;
  conn: acp.ClientConnection;
  /** Every session/update received, in order. */
  updates: acp.SessionUpdate[];
  /** Permission requests received, in order. */
  permissions: acp.RequestPermissionRequest[];
  /** Answers session/request_permission (default: cancelled). */
  onPermission(
    req: acp.RequestPermissionRequest,
    signal: AbortSignal,
  ): Promise<acp.RequestPermissionResponse>;
  /** Sends a request with a deadline. */
  request<T>(method: string, params: unknown, ms?: number): Promise<T>;
  /** Closes stdin (the client goes away) and waits for the process to exit. */
  close(): Promise<number>;
  /** SIGKILLs the facade and waits for it. */
  kill(): Promise<void>;
  stderr(): Promise<string>;
}

/** Starts `massctl --socket S agentrun acp NAME -w WS ARGS…` and connects an ACP client. */
export function spawnAcp(socket: string, args: string[] = [], key: RunKey = KEY): AcpProc {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MASSCTL,
      "--socket",
      socket,
      "agentrun",
      "acp",
      key.name,
      "-w",
      key.workspace,
      ...args,
    ],
    cwd: REPO,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const proc: AcpProc = {
    child,
    updates: [],
    permissions: [],
    onPermission: () => Promise.resolve({ outcome: { outcome: "cancelled" } }),
    conn: undefined as unknown as acp.ClientConnection,
    request: <T>(method: string, params: unknown, ms = WAIT_MS) =>
      deadline(proc.conn.agent.request<T>(method, params), ms, method),
    async close() {
      await child.stdin.close().catch(() => {});
      const timer = setTimeout(() => killChild(child), 15_000);
      const status = await child.status;
      clearTimeout(timer);
      return status.code;
    },
    async kill() {
      killChild(child);
      await child.status;
    },
    stderr: () => stderr,
  };
  proc.conn = acp.client({ name: "test-client" })
    .onNotification(acp.methods.client.session.update, ({ params }) => {
      proc.updates.push(params.update);
    })
    .onRequest(acp.methods.client.session.requestPermission, ({ params, signal }) => {
      proc.permissions.push(params);
      return proc.onPermission(params, signal);
    })
    .connect(acp.ndJsonStream(child.stdin, child.stdout));
  return proc;
}

/** initialize (protocol 1, no fs or terminal offered). */
export function initialize(p: AcpProc): Promise<acp.InitializeResponse> {
  return p.request("initialize", { protocolVersion: 1, clientCapabilities: {} });
}

/** initialize + session/new; returns the session id. */
export async function newSession(p: AcpProc): Promise<acp.NewSessionResponse> {
  await initialize(p);
  return await p.request<acp.NewSessionResponse>("session/new", { cwd: "/", mcpServers: [] });
}

export function prompt(p: AcpProc, sessionId: string, text: string): Promise<acp.PromptResponse> {
  return p.request("session/prompt", { sessionId, prompt: [{ type: "text", text }] });
}

/** Concatenated text of the agent_message_chunks received so far. */
export function agentText(updates: acp.SessionUpdate[]): string {
  return updates.map((u) =>
    u.sessionUpdate === "agent_message_chunk" && u.content.type === "text" ? u.content.text : ""
  ).join("");
}

/** A daemon with workspace `w` and agent `tester` (the scriptable test agent). */
export async function daemonWithTester(): Promise<DaemonProcess> {
  const d = await startDaemonProcess();
  try {
    await d.client.agentCreate({
      metadata: { name: "tester" },
      spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT] },
    });
    await d.client.workspaceCreate({
      metadata: { name: "w" },
      spec: { source: { type: "emptyDir" } },
    });
    await until(
      "workspace ready",
      async () => (await d.client.workspaceGet("w")).status.phase === "ready",
      WAIT_MS,
    );
  } catch (err) {
    await d.stop();
    throw err;
  }
  return d;
}

/** Creates run `KEY` with `spec` and waits until it is idle. */
export async function createIdleRun(
  c: AriClient,
  spec: { agent: string; permissions?: "ask" | "approve_all" },
  key: RunKey = KEY,
): Promise<void> {
  await c.agentrunCreate({ metadata: { ...key }, spec });
  await until(
    `run ${key.name} idle`,
    async () => (await c.agentrunGet(key)).status.phase === "idle",
    WAIT_MS,
  );
}

/** The run's whole log, read over ARI (replay up to its last seq). */
export async function runEvents(c: AriClient, key: RunKey = KEY): Promise<AgentRunEvent[]> {
  const last = (await c.agentrunStatus(key)).recovery.lastSeq;
  const out: AgentRunEvent[] = [];
  if (last < 0) return out;
  const abort = new AbortController();
  await deadline(
    (async () => {
      for await (const ev of c.watch({ ...key, fromSeq: 0, signal: abort.signal })) {
        out.push(ev);
        if (ev.seq >= last) break;
      }
    })(),
    WAIT_MS,
    "the run's log",
  ).finally(() => abort.abort());
  return out;
}
