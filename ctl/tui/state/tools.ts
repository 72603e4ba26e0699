/**
 * Tool cards: a tool_call opens a card keyed by its id, later tool_call/tool_result events
 * for that id update it in place (results for an unknown id are a late join and ignored).
 */
import type { ContentBlock, ToolCallPayload } from "../../../specs/events.ts";
import type { ChatModel, ToolOutput } from "./model.ts";
import { addItem, type NewItem, updateItem } from "./items.ts";
import { blockText } from "./content.ts";

/** Tool output bytes kept in memory per text block (head and tail survive). */
export const TOOL_TEXT_LIMIT = 4096;

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
  const text = _rawOutputText(rawOutput);
  return text ? [{ type: "text", text: truncateMiddle(text, TOOL_TEXT_LIMIT) }] : [];
}

function _rawOutputText(raw: unknown): string {
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

/**
 * Where a tool call id is unique: its turn (else its session). Agents number tool calls per
 * turn or session (the demo agent starts again at 1 after a resume), so an id alone would put
 * a later turn's tool into an earlier turn's card.
 */
export function toolScope(ev: { turnId?: string; sessionId?: string }): string {
  return ev.turnId ? `turn:${ev.turnId}` : `session:${ev.sessionId ?? ""}`;
}

/** A tool_call: a new card, or an update of the card with the same id in the same scope. */
export function applyToolCall(model: ChatModel, p: ToolCallPayload, scope = ""): ChatModel {
  const key = `${scope}|${p.id}`;
  const known = model.tools[key];
  // A repeated tool_call for the same id (e.g. a session/load replay) updates in place.
  if (known !== undefined) return applyToolResult(model, p, scope);
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
  return { ...m, tools: { ...m.tools, [key]: model.nextId } };
}

/** A tool_result (or repeated tool_call): updates the card of its id in its scope, if any. */
export function applyToolResult(model: ChatModel, p: ToolCallPayload, scope = ""): ChatModel {
  const itemId = model.tools[`${scope}|${p.id}`];
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
        ? [...item.outputs.filter((o) => o.type === "diff" && !outputs.some(_isDiff)), ...outputs]
        : item.outputs,
      locations: p.locations?.length
        ? p.locations.map((l) => ({ path: l.path, line: l.line }))
        : item.locations,
      rawInput: p.rawInput ?? item.rawInput,
    };
  });
}

function _isDiff(o: ToolOutput): boolean {
  return o.type === "diff";
}
