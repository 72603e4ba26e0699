/**
 * Adding, changing and closing chat items: the small immutable steps every part of the
 * reducer is built from.
 */
import type { ChatItem, ChatModel, ContentType, NoticeLevel } from "./model.ts";

/** Ends the streamed block, if any. */
export function closeOpen(model: ChatModel): ChatModel {
  const open = model.open;
  if (!open) return model;
  const m = { ...model, open: undefined };
  return updateItem(
    m,
    open.itemId,
    (i) => i.kind === "assistant" || i.kind === "thinking" ? { ...i, streaming: false } : i,
  );
}

export type NewItem = ChatItem extends infer T ? T extends ChatItem ? Omit<T, "id"> : never : never;

/** Appends `item` with the next id. */
export function addItem(model: ChatModel, item: NewItem): ChatModel {
  return {
    ...model,
    items: [...model.items, { ...item, id: model.nextId } as ChatItem],
    nextId: model.nextId + 1,
  };
}

/** Appends `item` and makes it the open item of content `type`, so later chunks extend it. */
export function openItem(model: ChatModel, type: ContentType, item: NewItem): ChatModel {
  return { ...addItem(model, item), open: { type, itemId: model.nextId } };
}

/** Appends a notice of `level`. */
export function addNotice(model: ChatModel, level: NoticeLevel, text: string): ChatModel {
  return addItem(model, { kind: "notice", level, text });
}

/**
 * Replaces item `itemId` with `fn(item)`; the model is returned as is when no item has that id.
 */
export function updateItem(
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
