/**
 * Session metadata: plans, runtime updates (phase, commands, mode, model, title, usage,
 * failed operations) and the status snapshot taken when the chat starts.
 */
import type { SessionState } from "../../../specs/runtime.ts";
import type { RuntimeUpdatePayload } from "../../../specs/events.ts";
import type { ChatModel, Choice, PlanEntry, PlanItem } from "./model.ts";
import { addItem, addNotice, updateItem } from "./items.ts";

/** A plan replaces the plan of the same turn; a new turn starts a new one. */
export function applyPlan(
  model: ChatModel,
  turnId: string | undefined,
  entries: PlanEntry[] | undefined,
): ChatModel {
  const clean = (entries ?? []).map((e) => ({
    content: String(e.content ?? ""),
    priority: String(e.priority ?? ""),
    status: String(e.status ?? "pending"),
  }));
  // The plan of a turn is replaced in place; a new turn starts a new plan.
  const last = [...model.items].reverse().find((i) => i.kind === "plan") as PlanItem | undefined;
  if (last && last.turnId === turnId) {
    return updateItem(model, last.id, (i) => ({ ...i, entries: clean }));
  }
  return addItem(model, { kind: "plan", turnId, entries: clean });
}

// ---------- runtime updates ----------

/** A runtime_update; phase changes older than the snapshot (phaseFloor) are history. */
export function applyRuntimeUpdate(
  model: ChatModel,
  seq: number,
  p: RuntimeUpdatePayload,
): ChatModel {
  let m = model;
  if (p.phase && seq > m.phaseFloor) {
    m = { ...m, phase: p.phase.phase };
    if (p.phase.phase === "stopped") m = { ...m, permissions: [] };
    // Phase changes are the fallback turn boundaries when turn events were missed. The open
    // block stays open: its trailing chunks may still follow.
    if (p.phase.phase !== "running" && p.phase.previousPhase === "running") {
      m = { ...m, turn: undefined };
    }
  }
  if (p.availableCommands) {
    m = {
      ...m,
      commands: (p.availableCommands.commands ?? []).map((c) => ({
        name: c.name,
        description: c.description ?? "",
        hint: _hintOf(c.input),
      })),
    };
  }
  if (p.currentMode) m = { ...m, mode: p.currentMode.modeId };
  if (p.configOptions) m = _applyConfigOptions(m, p.configOptions.options ?? []);
  if (p.sessionInfo && p.sessionInfo.title !== undefined) {
    m = { ...m, title: p.sessionInfo.title ?? undefined };
  }
  if (p.usage) m = { ...m, usage: { used: p.usage.used, size: p.usage.size, cost: p.usage.cost } };
  if (p.operationAudit && !p.operationAudit.success) {
    const a = p.operationAudit;
    m = addNotice(m, "error", `${a.operation} failed${a.error ? `: ${a.error}` : ""}`);
  }
  return m;
}

function _hintOf(input: unknown): string | undefined {
  if (input && typeof input === "object" && "hint" in input) {
    const hint = (input as { hint: unknown }).hint;
    return typeof hint === "string" ? hint : undefined;
  }
  return undefined;
}

interface SelectOption {
  type?: string;
  id?: string;
  name?: string;
  category?: string | null;
  currentValue?: unknown;
  options?: unknown[];
}

/** Model and mode come from select config options of category (or id) "model" / "mode". */
function _applyConfigOptions(model: ChatModel, options: unknown[]): ChatModel {
  let m = model;
  for (const raw of options) {
    if (!raw || typeof raw !== "object") continue;
    const o = raw as SelectOption;
    const role = o.category ?? o.id;
    if (role !== "model" && role !== "mode") continue;
    const choices = _flattenChoices(o.options ?? []);
    const current = typeof o.currentValue === "string" ? o.currentValue : undefined;
    m = role === "model"
      ? { ...m, model: current ?? m.model, models: choices }
      : { ...m, mode: current ?? m.mode, modes: choices };
  }
  return m;
}

function _flattenChoices(options: unknown[]): Choice[] {
  const out: Choice[] = [];
  for (const raw of options) {
    if (!raw || typeof raw !== "object") continue;
    const o = raw as { value?: unknown; name?: unknown; options?: unknown[] };
    if (Array.isArray(o.options)) out.push(..._flattenChoices(o.options));
    else if (typeof o.value === "string") {
      out.push({ id: o.value, name: typeof o.name === "string" ? o.name : o.value });
    }
  }
  return out;
}

/** Fills model, mode and commands from a status snapshot; later events still win. */
export function applySession(model: ChatModel, session: SessionState): ChatModel {
  let m = _applyConfigOptions(model, session.configOptions ?? []);
  if (session.models && !m.model) {
    m = {
      ...m,
      model: session.models.currentModelId,
      models: session.models.availableModels.map((x) => ({ id: x.modelId, name: x.name })),
    };
  }
  if (session.currentMode && !m.mode) m = { ...m, mode: session.currentMode };
  if (session.availableCommands && m.commands.length === 0) {
    m = applyRuntimeUpdate(m, -1, {
      availableCommands: { commands: session.availableCommands },
    });
  }
  return m;
}
