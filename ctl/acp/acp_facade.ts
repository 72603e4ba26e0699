/**
 * mass as an ACP agent: the agent side of ACP (protocol version 1) for one supervised run,
 * mapped onto ARI. The client's `fs/*` and `terminal/*` are never used: the run's workspace
 * and sandbox stay the boundary.
 */
import * as acp from "@agentclientprotocol/sdk";
import type { RunKey } from "../../specs/ari.ts";
import { errorCode, errorMessage } from "../../specs/errors.ts";
import type { RuntimeState } from "../../specs/runtime.ts";
import type { AriClient } from "../client/ari_client.ts";
import { ensureRun } from "./ensure_run.ts";
import { RunBridge } from "./run_bridge.ts";
import { initializeResponse, sessionSetup } from "./session_setup.ts";

export interface AcpFacadeOptions {
  client: AriClient;
  key: RunKey;
  /** `--create --agent A`: create the run on `session/new` when it does not exist. */
  createWithAgent?: string;
  /** Bound on the wait for a created run to become idle. */
  createTimeoutMs?: number;
  /** How long a prompt waits while another client's turn runs (then -32001). */
  busyTimeoutMs?: number;
  log?(line: string): void;
}

/** The ACP session id of a run: stable across agent restarts and facade processes. */
export function runSessionId(key: RunKey): string {
  return `mass:${key.workspace}/${key.name}`;
}

/**
 * Builds the agent-side app; connect it to a client's stream (see serveAcp).
 *
 * @example
 * ```ts
 * const conn = acpFacade({ client, key }).connect(acp.ndJsonStream(out, input));
 * await conn.closed;
 * ```
 */
export function acpFacade(opts: AcpFacadeOptions): acp.AgentApp {
  const { client, key } = opts;
  const log = opts.log ?? (() => {});
  const sessionId = runSessionId(key);
  let peer: acp.AgentContext | undefined;
  let bridge: RunBridge | undefined;

  const state = async (): Promise<RuntimeState | undefined> => {
    try {
      return (await client.agentrunStatus(key)).state;
    } catch {
      return undefined;
    }
  };
  const requireSession = (id: string): RunBridge => {
    if (!bridge || id !== sessionId) throw acp.RequestError.sessionNotFound(id);
    return bridge;
  };
  const attach = async (replay: boolean): Promise<void> => {
    bridge?.close();
    const cx = peer!;
    bridge = new RunBridge({
      client,
      key,
      notify: (update) => cx.notify(acp.methods.client.session.update, { sessionId, update }),
      askPermission: (params, signal) =>
        cx.request(acp.methods.client.session.requestPermission, { sessionId, ...params }, {
          cancellationSignal: signal,
          stopWaitingOnCancel: true,
        }),
      busyTimeoutMs: opts.busyTimeoutMs ?? 30_000,
      log,
    });
    await bridge.attach(replay);
  };

  return acp.agent({ name: "mass" })
    .onConnect((conn) => {
      peer = conn.client;
      conn.closed.then(() => bridge?.close());
    })
    .onRequest(acp.methods.agent.initialize, async () => initializeResponse(key, await state()))
    .onRequest(acp.methods.agent.authenticate, () => ({}))
    .onRequest(acp.methods.agent.session.new, () =>
      _rpc(async () => {
        await ensureRun(client, key, {
          createWithAgent: opts.createWithAgent,
          timeoutMs: opts.createTimeoutMs ?? 10 * 60_000,
        });
        await attach(false);
        return { sessionId, ...sessionSetup(await state()) };
      }))
    .onRequest(acp.methods.agent.session.load, ({ params }) =>
      _rpc(async () => {
        if (params.sessionId !== sessionId) {
          throw acp.RequestError.sessionNotFound(params.sessionId);
        }
        await ensureRun(client, key, { timeoutMs: 0 });
        await attach(true);
        return sessionSetup(await state());
      }))
    .onRequest(
      acp.methods.agent.session.prompt,
      ({ params }) =>
        _rpc(async () => ({
          stopReason: await requireSession(params.sessionId).prompt(params.prompt),
        })),
    )
    .onNotification(acp.methods.agent.session.cancel, async ({ params }) => {
      if (params.sessionId !== sessionId) return;
      await client.agentrunCancel(key).catch((err) => log(`cancel: ${errorMessage(err)}`));
    })
    .onRequest(acp.methods.agent.session.setMode, ({ params }) =>
      _rpc(async () => {
        requireSession(params.sessionId);
        await client.agentrunSetMode({ ...key, modeId: params.modeId });
        return {};
      }))
    .onRequest(acp.methods.agent.session.setConfigOption, ({ params }) =>
      _rpc(async () => {
        requireSession(params.sessionId);
        const res = await client.call("agentrun/set_config_option", {
          ...key,
          configId: params.configId,
          value: params.value,
        });
        const configOptions = (res?.configOptions as acp.SessionConfigOption[] | undefined) ??
          sessionSetup(await state()).configOptions ?? [];
        return { configOptions };
      }))
    // Unstable ACP, still sent by clients that know models as their own list.
    .onRequest("session/set_model", _parseSetModel, ({ params }) =>
      _rpc(async () => {
        requireSession(params.sessionId);
        await client.agentrunSetModel({ ...key, modelId: params.modelId });
        return {};
      }));
}

function _parseSetModel(params: unknown): { sessionId: string; modelId: string } {
  const p = params as { sessionId?: unknown; modelId?: unknown } | null;
  if (typeof p?.sessionId !== "string" || typeof p.modelId !== "string" || p.modelId === "") {
    throw acp.RequestError.invalidParams(
      undefined,
      "session/set_model needs sessionId and modelId",
    );
  }
  return { sessionId: p.sessionId, modelId: p.modelId };
}

/** ARI failures keep their code and message on the ACP side. */
async function _rpc<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof acp.RequestError) throw err;
    throw new acp.RequestError(errorCode(err) ?? -32603, errorMessage(err));
  }
}
