/**
 * The chat model and its pure reducer: agent-run events (and a few local actions) in, an
 * immutable chat model out. Everything the TUI shows is derived from this model, so the
 * whole event handling is testable without a terminal.
 *
 * Follows the consumer guidance of the event model: late joins are tolerated (a chunk
 * without an open block opens one, results for unknown tool calls are ignored), runtime
 * phase changes double as turn boundaries, a prompt this client sent is not shown twice,
 * and a plan replaces the previous plan of the same turn. Permission requests (policy `ask`)
 * wait in `permissions` until their `permission_resolved` event, or until the agent-run that
 * asked is gone.
 */
import type { AgentRun } from "../../specs/ari.ts";
import type { SessionState } from "../../specs/runtime.ts";
import type {
  AgentRunEvent,
  ContentBlock,
  ContentPayload,
  PermissionOption,
  PermissionRequestPayload,
  PermissionResolvedPayload,
  Phase,
  RuntimeUpdatePayload,
  ToolCallPayload,
} from "../../specs/events.ts";

/** Tool output bytes kept in memory per text block (head and tail survive). */
export const TOOL_TEXT_LIMIT = 4096;

export type NoticeLevel = "info" | "warn" | "error";

/** One piece of a tool call's output. */
export type ToolOutput =
  | { type: "text"; text: string }
  | { type: "diff"; path: string; oldText?: string; newText: string }
  | { type: "terminal"; terminalId: string };

export interface PlanEntry {
  content: string;
  priority: string;
  status: string;
}

interface ItemBase {
  /** Local id, stable for the item's life (React key, expand toggles). */
  id: number;
  /** Set on items that can be expanded and collapsed. */
  expanded?: boolean;
}

export interface UserItem extends ItemBase {
  kind: "user";
  text: string;
  /** Sent by this client and not yet echoed by the run. */
  pending?: boolean;
}
export interface SystemPromptItem extends ItemBase {
  kind: "system_prompt";
  text: string;
}
export interface AssistantItem extends ItemBase {
  kind: "assistant";
  text: string;
  streaming: boolean;
}
export interface ThinkingItem extends ItemBase {
  kind: "thinking";
  text: string;
  streaming: boolean;
}
export interface ToolItem extends ItemBase {
  kind: "tool";
  toolId: string;
  /** Display name: kind, else title without "Tool: ", else title, else "tool". */
  name: string;
  title: string;
  toolKind: string;
  status: string;
  outputs: ToolOutput[];
  locations: { path: string; line?: number }[];
  rawInput?: unknown;
}
export interface PlanItem extends ItemBase {
  kind: "plan";
  turnId?: string;
  entries: PlanEntry[];
}
export interface NoticeItem extends ItemBase {
  kind: "notice";
  level: NoticeLevel;
  text: string;
}

/** A permission request waiting for an answer (policy `ask`). */
export interface PermissionPrompt {
  requestId: string;
  title: string;
  /** Tool kind, "" when the agent gave none. */
  toolKind: string;
  options: readonly PermissionOption[];
  /** Set by Esc: still pending, but the dialog shows the next one (or none). */
  dismissed?: boolean;
}

export type ChatItem =
  | UserItem
  | SystemPromptItem
  | AssistantItem
  | ThinkingItem
  | ToolItem
  | PlanItem
  | NoticeItem;

export interface AgentCommand {
  name: string;
  description: string;
  hint?: string;
}

export interface Choice {
  id: string;
  name: string;
}

export interface Usage {
  used: number;
  size: number;
  cost?: { amount: number; currency: string } | null;
}

export type ConnectionState = "connecting" | "live" | "reconnecting" | "closed";

type ContentType = "agent_message" | "agent_thinking" | "user_message";

export interface ChatModel {
  readonly items: readonly ChatItem[];
  readonly nextId: number;
  /** The content block being streamed, if any; `echo` blocks repeat our own prompt. */
  readonly open?: { type: ContentType; itemId: number; echo?: boolean };
  /** Tool call id → item id. */
  readonly tools: Readonly<Record<string, number>>;
  /** Prompts sent by this client whose user_message echo has not arrived yet. */
  readonly pending: readonly { itemId: number; text: string }[];
  readonly phase?: Phase;
  /** Phase events at or below this seq are history older than the snapshot phase. */
  readonly phaseFloor: number;
  /** Last event seq applied; -1 before any. */
  readonly lastSeq: number;
  readonly turn?: { id?: string; origin: "user" | "system" };
  readonly sessionId?: string;
  readonly title?: string;
  readonly usage?: Usage;
  readonly model?: string;
  readonly models: readonly Choice[];
  readonly mode?: string;
  readonly modes: readonly Choice[];
  readonly commands: readonly AgentCommand[];
  readonly connection: ConnectionState;
  /** Pending permission requests, oldest first. */
  readonly permissions: readonly PermissionPrompt[];
}

export type ChatAction =
  | { type: "event"; event: AgentRunEvent }
  /** A batch of events from the watch; marks the connection live. */
  | { type: "events"; events: readonly AgentRunEvent[] }
  /** The run as agentrun/get returned it when the chat connected. */
  | { type: "snapshot"; run: AgentRun }
  /** This client is sending a prompt (shown at once, de-duplicated against its echo). */
  /** Session metadata from a runtime status snapshot (models, modes, commands). */
  | { type: "session"; session: SessionState }
  | { type: "prompt_sent"; text: string }
  | { type: "prompt_failed"; text: string; message: string }
  | { type: "notice"; level: NoticeLevel; text: string }
  | { type: "connection"; state: ConnectionState }
  | { type: "toggle"; itemId: number }
  /** Esc on the permission dialog: leave the request pending, stop showing it. */
  | { type: "permission_dismiss"; requestId: string }
  /** Show every dismissed request again. */
  | { type: "permission_restore" }
  | { type: "clear" };

export function initialChatModel(): ChatModel {
  return {
    items: [],
    nextId: 1,
    tools: {},
    pending: [],
    phaseFloor: -1,
    lastSeq: -1,
    models: [],
    modes: [],
    commands: [],
    connection: "connecting",
    permissions: [],
  };
}

export function chatReducer(model: ChatModel, action: ChatAction): ChatModel {
  switch (action.type) {
    case "event":
      return applyEvent(model, action.event);
    case "events":
      return {
        ...applyEvents(model, action.events),
        connection: action.events.length > 0 ? "live" : model.connection,
      };
    case "snapshot": {
      const status = action.run.status;
      const seen = status.lastSeq ?? -1;
      // A snapshot older than the events already applied would bring back a stale phase.
      if (seen < model.lastSeq) return model;
      return {
        ...model,
        phase: status.phase,
        phaseFloor: Math.max(model.phaseFloor, seen),
        sessionId: model.sessionId ?? status.sessionId,
      };
    }
    case "session":
      return applySession(model, action.session);
    case "prompt_sent": {
      const m = addItem(model, { kind: "user", text: action.text, pending: true });
      return { ...m, pending: [...m.pending, { itemId: model.nextId, text: action.text }] };
    }
    case "prompt_failed": {
      const entry = model.pending.find((p) => p.text === action.text);
      const m = entry
        ? {
          ...model,
          items: model.items.filter((i) => i.id !== entry.itemId),
          pending: model.pending.filter((p) => p !== entry),
        }
        : model;
      return addNotice(m, "error", action.message);
    }
    case "notice":
      return addNotice(model, action.level, action.text);
    case "connection":
      return { ...model, connection: action.state };
    case "toggle":
      return updateItem(model, action.itemId, (i) => ({ ...i, expanded: !i.expanded }));
    case "permission_dismiss":
      return {
        ...model,
        permissions: model.permissions.map((p) =>
          p.requestId === action.requestId ? { ...p, dismissed: true } : p
        ),
      };
    case "permission_restore":
      return { ...model, permissions: model.permissions.map(({ dismissed: _, ...p }) => p) };
    case "clear":
      return { ...model, items: [], tools: {}, open: undefined, pending: [] };
  }
}

/** Applies events in order; the convenience used by tests and replay. */
export function applyEvents(model: ChatModel, events: Iterable<AgentRunEvent>): ChatModel {
  let m = model;
  for (const ev of events) m = applyEvent(m, ev);
  return m;
}

function applyEvent(model: ChatModel, ev: AgentRunEvent): ChatModel {
  // seq is the dedup key: a resumed stream never applies an event twice.
  if (ev.seq <= model.lastSeq) return model;
  const m = { ...model, lastSeq: ev.seq, sessionId: ev.sessionId ?? model.sessionId };
  switch (ev.type) {
    case "agent_message":
    case "agent_thinking":
    case "user_message":
      return applyContent(m, ev.type, ev.payload);
    case "tool_call":
      return applyToolCall(closeOpen(m), ev.payload);
    case "tool_result":
      return applyToolResult(closeOpen(m), ev.payload);
    case "plan":
      return applyPlan(closeOpen(m), ev.turnId, ev.payload.entries);
    case "turn_start":
      return {
        ...closeOpen(m),
        turn: { id: ev.turnId, origin: ev.payload.origin === "system" ? "system" : "user" },
      };
    case "turn_end": {
      const ended = { ...closeOpen(m), turn: undefined };
      const reason = ev.payload.stopReason;
      if (!reason || reason === "end_turn") return ended;
      return addNotice(ended, reason === "error" ? "error" : "warn", `turn ended: ${reason}`);
    }
    case "error":
      return addNotice(closeOpen(m), "error", ev.payload.message || "error");
    case "runtime_update":
      return applyRuntimeUpdate(m, ev.seq, ev.payload);
    case "permission_request":
      return addPermission(closeOpen(m), ev.payload);
    case "permission_resolved":
      return resolvePermission(closeOpen(m), ev.payload);
    case "session_start": {
      const p = ev.payload;
      const how = p.mode === "new"
        ? "new session"
        : p.mode === "load"
        ? "session loaded"
        : "session resumed";
      // A new agent-run: what an earlier one asked can no longer be answered.
      return addNotice(
        { ...closeOpen(m), sessionId: p.sessionId, permissions: [] },
        "info",
        `${how} ${p.sessionId}`,
      );
    }
    case "agent_exit": {
      const p = ev.payload;
      const how = p.signal ? `signal ${p.signal}` : `code ${p.exitCode ?? "?"}`;
      return addNotice(
        { ...closeOpen(m), turn: undefined, permissions: [] },
        "warn",
        `agent exited (${how}${p.reason ? `, ${p.reason}` : ""})`,
      );
    }
    case "notice": {
      const text = typeof ev.payload.message === "string"
        ? ev.payload.message
        : JSON.stringify(ev.payload);
      return addNotice(m, "info", text);
    }
    case "compaction":
      return addNotice(m, "info", "event log compacted");
    default:
      return m;
  }
}

// ---------- content blocks ----------

function applyContent(model: ChatModel, type: ContentType, p: ContentPayload): ChatModel {
  const open = model.open;
  if (p.status === "end") return open?.type === type ? closeOpen(model) : model;
  const text = blockText(p.content);
  // A chunk of the block being streamed.
  if (open?.type === type && p.status === "streaming") {
    if (open.echo) return model;
    return updateItem(model, open.itemId, (i) => appendText(i, text));
  }
  const m = closeOpen(model);
  if (type === "user_message") {
    if (p.systemPrompt || m.turn?.origin === "system") {
      return openItem(m, type, { kind: "system_prompt", text });
    }
    const echo = m.pending.find((e) => text !== "" && e.text.startsWith(text));
    if (echo) {
      const confirmed = updateItem(m, echo.itemId, (i) => ({ ...i, pending: false }));
      return {
        ...confirmed,
        pending: m.pending.filter((e) => e !== echo),
        open: { type, itemId: echo.itemId, echo: true },
      };
    }
    return openItem(m, type, { kind: "user", text });
  }
  if (type === "agent_thinking") {
    return openItem(m, type, { kind: "thinking", text, streaming: true });
  }
  return openItem(m, type, { kind: "assistant", text, streaming: true });
}

function appendText(item: ChatItem, text: string): ChatItem {
  switch (item.kind) {
    case "user":
    case "system_prompt":
    case "assistant":
    case "thinking":
      return { ...item, text: item.text + text };
    default:
      return item;
  }
}

/** Text of a content block; non-text blocks become a short placeholder. */
export function blockText(block: ContentBlock | undefined): string {
  if (!block) return "";
  switch (block.type) {
    case "text":
      return typeof block.text === "string" ? block.text : "";
    case "image":
      return `[image ${String(block.mimeType ?? "")}]`;
    case "audio":
      return `[audio ${String(block.mimeType ?? "")}]`;
    case "resource_link":
      return `@${String(block.uri ?? block.name ?? "")}`;
    case "resource": {
      const r = block.resource as { uri?: string; text?: string } | undefined;
      return r?.text ?? `@${r?.uri ?? "resource"}`;
    }
    default:
      return `[${block.type}]`;
  }
}

/** Ends the streamed block, if any. */
function closeOpen(model: ChatModel): ChatModel {
  const open = model.open;
  if (!open) return model;
  const m = { ...model, open: undefined };
  return updateItem(
    m,
    open.itemId,
    (i) => i.kind === "assistant" || i.kind === "thinking" ? { ...i, streaming: false } : i,
  );
}

type NewItem = ChatItem extends infer T ? T extends ChatItem ? Omit<T, "id"> : never : never;

function addItem(model: ChatModel, item: NewItem): ChatModel {
  return {
    ...model,
    items: [...model.items, { ...item, id: model.nextId } as ChatItem],
    nextId: model.nextId + 1,
  };
}

function openItem(model: ChatModel, type: ContentType, item: NewItem): ChatModel {
  return { ...addItem(model, item), open: { type, itemId: model.nextId } };
}

function addNotice(model: ChatModel, level: NoticeLevel, text: string): ChatModel {
  return addItem(model, { kind: "notice", level, text });
}

function updateItem(
  model: ChatModel,
  itemId: number,
  fn: (item: ChatItem) => ChatItem,
): ChatModel {
  // Recent items change most; search from the end.
  for (let i = model.items.length - 1; i >= 0; i--) {
    if (model.items[i].id !== itemId) continue;
    const items = model.items.slice();
    items[i] = fn(items[i]);
    return { ...model, items };
  }
  return model;
}

// ---------- tool calls ----------

/** Tool display name: kind → title minus "Tool: " → title → "tool". */
export function toolName(kind: string | undefined, title: string | undefined): string {
  if (kind) return kind;
  if (title?.startsWith("Tool: ")) return title.slice("Tool: ".length) || "tool";
  return title || "tool";
}

/** Output of a tool call: its content blocks, else its rawOutput. */
export function toolOutputs(content: unknown[] | undefined, rawOutput: unknown): ToolOutput[] {
  const out: ToolOutput[] = [];
  for (const c of content ?? []) {
    if (!c || typeof c !== "object") continue;
    const tc = c as Record<string, unknown>;
    if (tc.type === "diff" && typeof tc.path === "string") {
      out.push({
        type: "diff",
        path: tc.path,
        oldText: typeof tc.oldText === "string" ? tc.oldText : undefined,
        newText: typeof tc.newText === "string" ? tc.newText : "",
      });
    } else if (tc.type === "terminal" && typeof tc.terminalId === "string") {
      out.push({ type: "terminal", terminalId: tc.terminalId });
    } else if (tc.type === "content") {
      const text = blockText(tc.content as ContentBlock | undefined);
      if (text) out.push({ type: "text", text: truncateMiddle(text, TOOL_TEXT_LIMIT) });
    }
  }
  if (out.length > 0 || rawOutput === undefined || rawOutput === null) return out;
  const text = rawOutputText(rawOutput);
  return text ? [{ type: "text", text: truncateMiddle(text, TOOL_TEXT_LIMIT) }] : [];
}

function rawOutputText(raw: unknown): string {
  if (typeof raw === "string") return raw;
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    const r = raw as Record<string, unknown>;
    if (typeof r.aggregated_output === "string") return r.aggregated_output;
    if (Array.isArray(r.content)) {
      const texts = r.content
        .map((c) => (c && typeof c === "object" ? (c as { text?: unknown }).text : undefined))
        .filter((t): t is string => typeof t === "string");
      if (texts.length > 0) return texts.join("\n");
    }
  }
  return JSON.stringify(raw);
}

/** Keeps the head and tail of a long text, noting how much was dropped. */
export function truncateMiddle(text: string, limit: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= limit) return text;
  const half = Math.floor(limit / 2);
  const dec = new TextDecoder();
  const head = dec.decode(bytes.subarray(0, half)).replace(/\uFFFD$/, "");
  const tail = dec.decode(bytes.subarray(bytes.length - half)).replace(/^\uFFFD/, "");
  return `${head}\n… (${bytes.length - 2 * half} bytes truncated) …\n${tail}`;
}

function applyToolCall(model: ChatModel, p: ToolCallPayload): ChatModel {
  const known = model.tools[p.id];
  // A repeated tool_call for the same id (e.g. a session/load replay) updates in place.
  if (known !== undefined) return applyToolResult(model, p);
  const item: NewItem = {
    kind: "tool",
    toolId: p.id,
    name: toolName(p.kind, p.title),
    title: p.title ?? "",
    toolKind: p.kind ?? "",
    status: p.status && p.status !== "unknown" ? p.status : "pending",
    outputs: toolOutputs(p.content, p.rawOutput),
    locations: (p.locations ?? []).map((l) => ({ path: l.path, line: l.line })),
    rawInput: p.rawInput,
  };
  const m = addItem(model, item);
  return { ...m, tools: { ...m.tools, [p.id]: model.nextId } };
}

function applyToolResult(model: ChatModel, p: ToolCallPayload): ChatModel {
  const itemId = model.tools[p.id];
  if (itemId === undefined) return model; // late join: no tool_call seen
  return updateItem(model, itemId, (item) => {
    if (item.kind !== "tool") return item;
    const outputs = toolOutputs(p.content, p.rawOutput);
    const title = p.title || item.title;
    const toolKind = p.kind || item.toolKind;
    return {
      ...item,
      title,
      toolKind,
      name: toolName(toolKind, title),
      status: p.status && p.status !== "unknown" ? p.status : item.status,
      // New output replaces the old, but a diff already shown is kept.
      outputs: outputs.length > 0
        ? [...item.outputs.filter((o) => o.type === "diff" && !outputs.some(isDiff)), ...outputs]
        : item.outputs,
      locations: p.locations?.length
        ? p.locations.map((l) => ({ path: l.path, line: l.line }))
        : item.locations,
      rawInput: p.rawInput ?? item.rawInput,
    };
  });
}

function isDiff(o: ToolOutput): boolean {
  return o.type === "diff";
}

// ---------- permissions ----------

function addPermission(model: ChatModel, p: PermissionRequestPayload): ChatModel {
  if (!p?.requestId || model.permissions.some((x) => x.requestId === p.requestId)) return model;
  const prompt: PermissionPrompt = {
    requestId: p.requestId,
    title: p.toolCall?.title || p.toolCall?.toolCallId || "tool call",
    toolKind: p.toolCall?.kind ?? "",
    options: Array.isArray(p.options) ? p.options : [],
  };
  return { ...model, permissions: [...model.permissions, prompt] };
}

/** Drops the request; an answer from a client, the timeout or a cancel leaves a notice. */
function resolvePermission(model: ChatModel, p: PermissionResolvedPayload): ChatModel {
  const known = model.permissions.find((x) => x.requestId === p.requestId);
  if (!known) return model; // a fixed policy's decision, or one resolved before we joined
  const m = { ...model, permissions: model.permissions.filter((x) => x !== known) };
  const answer = p.outcome === "selected" ? (p.optionId ?? "selected") : "cancelled";
  const by = p.by === "client" ? "" : ` (${p.by})`;
  return addNotice(
    m,
    p.by === "timeout" ? "warn" : "info",
    `permission ${answer}${by}: ${known.title}`,
  );
}

/** The request the dialog shows: the oldest one not dismissed with Esc. */
export function activePermission(model: ChatModel): PermissionPrompt | undefined {
  return model.permissions.find((p) => !p.dismissed);
}

// ---------- plan ----------

function applyPlan(
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

function applyRuntimeUpdate(model: ChatModel, seq: number, p: RuntimeUpdatePayload): ChatModel {
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
        hint: hintOf(c.input),
      })),
    };
  }
  if (p.currentMode) m = { ...m, mode: p.currentMode.modeId };
  if (p.configOptions) m = applyConfigOptions(m, p.configOptions.options ?? []);
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

function hintOf(input: unknown): string | undefined {
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
function applyConfigOptions(model: ChatModel, options: unknown[]): ChatModel {
  let m = model;
  for (const raw of options) {
    if (!raw || typeof raw !== "object") continue;
    const o = raw as SelectOption;
    const role = o.category ?? o.id;
    if (role !== "model" && role !== "mode") continue;
    const choices = flattenChoices(o.options ?? []);
    const current = typeof o.currentValue === "string" ? o.currentValue : undefined;
    m = role === "model"
      ? { ...m, model: current ?? m.model, models: choices }
      : { ...m, mode: current ?? m.mode, modes: choices };
  }
  return m;
}

function flattenChoices(options: unknown[]): Choice[] {
  const out: Choice[] = [];
  for (const raw of options) {
    if (!raw || typeof raw !== "object") continue;
    const o = raw as { value?: unknown; name?: unknown; options?: unknown[] };
    if (Array.isArray(o.options)) out.push(...flattenChoices(o.options));
    else if (typeof o.value === "string") {
      out.push({ id: o.value, name: typeof o.name === "string" ? o.name : o.value });
    }
  }
  return out;
}

/** Fills model, mode and commands from a status snapshot; later events still win. */
function applySession(model: ChatModel, session: SessionState): ChatModel {
  let m = applyConfigOptions(model, session.configOptions ?? []);
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

// ---------- derived views ----------

/** True while a turn runs: the input shows a spinner and Ctrl+X cancels. */
export function isBusy(model: ChatModel): boolean {
  return model.phase === "running";
}

/** "12.3K", "1.2M", "512". */
export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${trimZero((n / 1_000_000).toFixed(1))}M`;
  if (n >= 1_000) return `${trimZero((n / 1_000).toFixed(1))}K`;
  return String(n);
}

function trimZero(s: string): string {
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}
