/**
 * Streamed content blocks (agent message, thinking, user message): chunks join the open
 * block, a chunk without one opens one (late join), and the echo of a prompt this client
 * sent confirms the item already shown instead of adding it twice.
 */
import type { ContentBlock, ContentPayload } from "../../../specs/events.ts";
import type { ChatItem, ChatModel, ContentType } from "./model.ts";
import { closeOpen, openItem, updateItem } from "./items.ts";

/** One content event: a chunk, a new block, or the end of the open one. */
export function applyContent(model: ChatModel, type: ContentType, p: ContentPayload): ChatModel {
  const open = model.open;
  if (p.status === "end") return open?.type === type ? closeOpen(model) : model;
  const text = blockText(p.content);
  // A chunk of the block being streamed.
  if (open?.type === type && p.status === "streaming") {
    if (open.echo) return model;
    return updateItem(model, open.itemId, (i) => _appendText(i, text));
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

function _appendText(item: ChatItem, text: string): ChatItem {
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
