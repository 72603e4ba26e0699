import assert from "node:assert/strict";
import type { RuntimeState } from "../../specs/runtime.ts";
import { initializeResponse, sessionSetup } from "./session_setup.ts";

const key = { workspace: "w", name: "r" };
const state = {
  session: {
    agentInfo: { name: "agent-x", version: "1.0", title: "Agent X" },
    capabilities: {
      loadSession: false,
      promptCapabilities: { image: true },
      sessionCapabilities: { resume: {} },
    },
    currentMode: "plan",
    availableModes: [{ id: "default", name: "Default" }, { id: "plan", name: "Plan" }],
    configOptions: [{ id: "model", type: "select", currentValue: "m" }],
    models: { currentModelId: "m", availableModels: [{ modelId: "m", name: "M" }] },
  },
} as unknown as RuntimeState;

Deno.test("initializeResponse: the agent's prompt capabilities, mass's own session surface", () => {
  const res = initializeResponse(key, state);
  assert.equal(res.protocolVersion, 1);
  assert.deepEqual(res.agentCapabilities, {
    loadSession: true,
    promptCapabilities: { image: true },
    mcpCapabilities: { http: false, sse: false },
    sessionCapabilities: {},
  });
  assert.equal(res.agentInfo?.title, "mass w/r (Agent X)");
  assert.deepEqual(
    (res._meta?.mass as { capabilities: unknown }).capabilities,
    state.session!.capabilities,
  );
  // Nothing recorded yet (a run still to be created): still a valid answer.
  assert.equal(initializeResponse(key, undefined).agentCapabilities?.loadSession, true);
});

Deno.test("sessionSetup: modes and config options from the recorded session", () => {
  assert.deepEqual(sessionSetup(state), {
    modes: {
      currentModeId: "plan",
      availableModes: [{ id: "default", name: "Default" }, { id: "plan", name: "Plan" }],
    },
    configOptions: [{ id: "model", type: "select", currentValue: "m" }],
    models: { currentModelId: "m", availableModels: [{ modelId: "m", name: "M" }] },
  });
  assert.deepEqual(sessionSetup(undefined), {});
});
