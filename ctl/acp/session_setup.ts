/**
 * What the facade tells an ACP client about the run: the `initialize` answer (the underlying
 * agent's capabilities as the agent-run recorded them) and the modes and config options of
 * `session/new` / `session/load`. Pure.
 */
import * as acp from "@agentclientprotocol/sdk";
import type { RunKey } from "../../specs/ari.ts";
import type { RuntimeState } from "../../specs/runtime.ts";
import { MASS_VERSION } from "../../specs/runtime.ts";

/**
 * The `initialize` answer for `key`. The agent's prompt capabilities pass through; mass adds
 * `loadSession` (it replays the run's log) and offers no MCP transports, no auth and no
 * session list, resume or close of the agent's own: the run is the one session.
 *
 * @example
 * ```ts
 * const res = initializeResponse(key, (await client.agentrunStatus(key)).state);
 * ```
 */
export function initializeResponse(
  key: RunKey,
  state: RuntimeState | undefined,
): acp.InitializeResponse {
  const caps = (state?.session?.capabilities ?? {}) as acp.AgentCapabilities;
  const info = state?.session?.agentInfo;
  return {
    protocolVersion: acp.PROTOCOL_VERSION,
    agentCapabilities: {
      loadSession: true,
      ...(caps.promptCapabilities ? { promptCapabilities: caps.promptCapabilities } : {}),
      // The run's MCP servers are its spec's; servers a client offers are not passed on.
      mcpCapabilities: { http: false, sse: false },
      sessionCapabilities: {},
    },
    authMethods: [],
    agentInfo: {
      name: "mass",
      title: `mass ${key.workspace}/${key.name}${info ? ` (${info.title ?? info.name})` : ""}`,
      version: MASS_VERSION,
    },
    _meta: {
      mass: {
        workspace: key.workspace,
        name: key.name,
        agentInfo: info ?? null,
        capabilities: caps,
      },
    },
  };
}

/** What `session/new` and `session/load` carry beyond the session id. */
export type SessionSetup = Pick<acp.NewSessionResponse, "modes" | "configOptions"> & {
  /** Unstable ACP `models` (clients from before models became a config option). */
  models?: {
    currentModelId: string;
    availableModels: { modelId: string; name: string; description?: string }[];
  };
};

/** Modes, config options and models of the run's live session, as `session/new` answers them. */
export function sessionSetup(state: RuntimeState | undefined): SessionSetup {
  const s = state?.session;
  const out: SessionSetup = {};
  if (s?.currentMode !== undefined) {
    out.modes = {
      currentModeId: s.currentMode,
      availableModes: (s.availableModes ?? [{ id: s.currentMode, name: s.currentMode }]).map((
        m,
      ) => ({ id: m.id, name: m.name, ...(m.description ? { description: m.description } : {}) })),
    };
  }
  if (s?.configOptions) out.configOptions = s.configOptions as acp.SessionConfigOption[];
  if (s?.models) out.models = s.models;
  return out;
}
