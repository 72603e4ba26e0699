/**
 * The `session` part of state.json, kept from ACP responses and metadata updates. Pure.
 */
import type { SessionState } from "../../specs/runtime.ts";

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** Models, from the option of category `model` (ACP 2.x carries models as a config option). */
export function modelsFromConfigOptions(options: unknown[]): SessionState["models"] | undefined {
  const opt = options.find((o): o is Rec => isRecord(o) && o.category === "model");
  if (!opt || typeof opt.currentValue !== "string" || !Array.isArray(opt.options)) {
    return undefined;
  }
  const flat = opt.options.flatMap((o: unknown) =>
    isRecord(o) && Array.isArray(o.options) ? o.options : [o]
  ).filter(isRecord);
  return {
    currentModelId: opt.currentValue,
    availableModels: flat.filter((o) => typeof o.value === "string").map((o) => {
      const m: { modelId: string; name: string; description?: string } = {
        modelId: o.value as string,
        name: typeof o.name === "string" ? o.name : o.value as string,
      };
      if (typeof o.description === "string") m.description = o.description;
      return m;
    }),
  };
}

/** The id of the config option that selects the model, if the agent has one. */
export function modelOptionId(session: SessionState | undefined): string | undefined {
  const opt = (session?.configOptions ?? []).find((o): o is Rec =>
    isRecord(o) && o.category === "model" && typeof o.id === "string"
  );
  return opt?.id as string | undefined;
}

/** Stores the agent's config options sorted by id, and the model list they carry, if any. */
export function setConfigOptions(session: SessionState, options: unknown[]): void {
  session.configOptions = options.slice().sort(
    byKey((o: unknown) => (isRecord(o) && typeof o.id === "string" ? o.id : "")),
  );
  const models = modelsFromConfigOptions(options);
  if (models) session.models = models;
}

/** What session/new, session/load or session/resume answered: modes, config, models. */
export function applySessionResponse(session: SessionState, response: unknown): void {
  if (!isRecord(response)) return;
  const modes = response.modes;
  if (isRecord(modes) && typeof modes.currentModeId === "string") {
    session.currentMode = modes.currentModeId;
    if (Array.isArray(modes.availableModes)) {
      session.availableModes = modes.availableModes.filter(isRecord).map((m) => ({
        id: String(m.id),
        name: String(m.name ?? m.id),
        ...(typeof m.description === "string" ? { description: m.description } : {}),
      }));
    }
  }
  if (Array.isArray(response.configOptions)) setConfigOptions(session, response.configOptions);
  // Unstable ACP `models` (session/set_model era), kept when an agent still sends it.
  const models = response.models;
  if (isRecord(models) && typeof models.currentModelId === "string") {
    session.models = {
      currentModelId: models.currentModelId,
      availableModels: Array.isArray(models.availableModels)
        ? models.availableModels.filter(isRecord).map((m) => ({
          modelId: String(m.modelId),
          name: String(m.name ?? m.modelId),
          ...(typeof m.description === "string" ? { description: m.description } : {}),
        }))
        : [],
    };
  }
}

/**
 * Applies a metadata `session/update` (available commands, mode, config options, session
 * info) to `session`. Returns false for any other update.
 */
export function applySessionUpdate(session: SessionState, update: unknown): boolean {
  if (!isRecord(update)) return false;
  switch (update.sessionUpdate) {
    case "available_commands_update":
      if (!Array.isArray(update.availableCommands)) return false;
      session.availableCommands = (update.availableCommands as SessionState["availableCommands"])!
        .slice().sort(byKey((c) => String(c?.name ?? "")));
      return true;
    case "current_mode_update":
      if (typeof update.currentModeId !== "string") return false;
      session.currentMode = update.currentModeId;
      return true;
    case "config_option_update":
      if (!Array.isArray(update.configOptions)) return false;
      setConfigOptions(session, update.configOptions);
      return true;
    case "session_info_update": {
      const info = { ...session.sessionInfo };
      if (update.title !== undefined) info.title = update.title as string | null;
      if (update.updatedAt !== undefined) info.updatedAt = update.updatedAt as string | null;
      session.sessionInfo = info;
      return true;
    }
    default:
      return false;
  }
}
