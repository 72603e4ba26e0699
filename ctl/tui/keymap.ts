/**
 * The chat's key map, as a pure function: one key press (ink's `input` and key flags) and
 * what the screen shows (focus, permission dialog, command palette) in, the actions it
 * means out, in order. The chat component carries the actions out; nothing here touches
 * the terminal, so every binding is testable on its own.
 */

/** The key flags the map reads (a subset of ink's `Key`). */
export interface KeyFlags {
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
  tab?: boolean;
  escape?: boolean;
  return?: boolean;
  backspace?: boolean;
  delete?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
}

/** What the screen shows when the key arrives. */
export interface KeyContext {
  focus: "editor" | "chat";
  /** A permission dialog is shown. */
  asking: boolean;
  /** The command palette has entries (editor focus only). */
  palette: boolean;
  /** The editor holds no text. */
  editorEmpty: boolean;
}

/** How far a scroll goes: a page, half a page, or to the end. */
export type ScrollAmount = "page" | "half" | "all";

/** Editing steps on the input editor (ctl/tui/editor.ts). */
export type EditOp =
  | "newline"
  | "backspace"
  | "kill_word"
  | "delete_forward"
  | "left"
  | "right"
  | "up"
  | "down"
  | "line_start"
  | "line_end"
  | "kill_to_line_start";

export type KeyAction =
  | { type: "quit" }
  | { type: "cancel_turn" }
  | { type: "toggle_expand_all" }
  /** Scroll the message list; `up` is towards older messages. */
  | { type: "scroll"; amount: ScrollAmount; up: boolean }
  | { type: "permission"; answer: "allow" | "always" | "deny" | "dismiss" }
  | { type: "focus"; to: "editor" | "chat" }
  /** Move the chat selection by `delta` items. */
  | { type: "select"; delta: number }
  /** Expand or collapse the selected item. */
  | { type: "toggle_selected" }
  | { type: "palette_move"; delta: 1 | -1 }
  /** Close the palette and clear the line. */
  | { type: "palette_close" }
  /** Put the selected completion on the line. */
  | { type: "palette_complete" }
  /** Run the selected completion, or complete it first when it takes arguments. */
  | { type: "palette_accept" }
  /** Hide the palette for the current line. */
  | { type: "palette_dismiss" }
  | { type: "edit"; op: EditOp }
  /** Enter: send the line, or a newline after a trailing backslash. */
  | { type: "enter" }
  | { type: "insert"; text: string };

/**
 * The actions one key press means, in order (none for an unbound key).
 *
 * @example
 * ```ts
 * const ctx = { focus: "editor", asking: false, palette: false, editorEmpty: true } as const;
 * keyActions("c", { ctrl: true }, ctx); // [{ type: "quit" }]
 * ```
 */
export function keyActions(input: string, k: KeyFlags, ctx: KeyContext): KeyAction[] {
  const global = _globalKey(input, k);
  if (global) return [global];

  // The permission dialog takes its keys first; everything else goes on as usual.
  if (ctx.asking && !k.ctrl && !k.meta) {
    if (input === "y") return [{ type: "permission", answer: "allow" }];
    if (input === "a") return [{ type: "permission", answer: "always" }];
    if (input === "n") return [{ type: "permission", answer: "deny" }];
    if (k.escape) return [{ type: "permission", answer: "dismiss" }];
  }

  if (ctx.focus === "chat") {
    // Keys typed faster than a read arrive as one string.
    if (input.length > 1 && !k.ctrl && !k.meta) {
      return [...input].flatMap((ch) => _chatKey(ch, k));
    }
    return _chatKey(input, k);
  }

  if (ctx.palette) {
    if (k.upArrow || k.downArrow) return [{ type: "palette_move", delta: k.upArrow ? -1 : 1 }];
    if (k.escape) return [{ type: "palette_close" }];
    if (k.tab) return [{ type: "palette_complete" }];
    if (k.return && !k.meta && !k.shift) return [{ type: "palette_accept" }];
  }
  return _editorKey(input, k, ctx.editorEmpty);
}

function _globalKey(input: string, k: KeyFlags): KeyAction | undefined {
  if (k.ctrl && input === "c") return { type: "quit" };
  if (k.ctrl && input === "x") return { type: "cancel_turn" };
  if (k.ctrl && input === "o") return { type: "toggle_expand_all" };
  if (k.pageUp) return { type: "scroll", amount: "page", up: true };
  if (k.pageDown) return { type: "scroll", amount: "page", up: false };
  return undefined;
}

function _chatKey(input: string, k: KeyFlags): KeyAction[] {
  if (k.tab || k.escape) return [{ type: "focus", to: "editor" }];
  if (input === "j" || k.downArrow) return [{ type: "select", delta: 1 }];
  if (input === "k" || k.upArrow) return [{ type: "select", delta: -1 }];
  if (input === "d") return [{ type: "scroll", amount: "half", up: false }];
  if (input === "u") return [{ type: "scroll", amount: "half", up: true }];
  if (input === "f") return [{ type: "scroll", amount: "page", up: false }];
  if (input === "b") return [{ type: "scroll", amount: "page", up: true }];
  if (input === "g" || k.home) return [{ type: "scroll", amount: "all", up: true }];
  if (input === "G" || k.end) return [{ type: "scroll", amount: "all", up: false }];
  if (input === " " || k.return) return [{ type: "toggle_selected" }];
  return [];
}

const _edit = (op: EditOp): KeyAction[] => [{ type: "edit", op }];

function _editorKey(input: string, k: KeyFlags, editorEmpty: boolean): KeyAction[] {
  if (k.return) return k.meta || k.shift ? _edit("newline") : [{ type: "enter" }];
  if (input === "\n") return _edit("newline"); // Ctrl+J
  if (k.tab) return editorEmpty ? [{ type: "focus", to: "chat" }] : [];
  if (k.escape) return [{ type: "palette_dismiss" }];
  if (k.backspace) return _edit(k.meta ? "kill_word" : "backspace");
  if (k.delete) return _edit("delete_forward");
  if (k.leftArrow) return _edit("left");
  if (k.rightArrow) return _edit("right");
  if (k.upArrow) return _edit("up");
  if (k.downArrow) return _edit("down");
  if (k.home || (k.ctrl && input === "a")) return _edit("line_start");
  if (k.end || (k.ctrl && input === "e")) return _edit("line_end");
  if (k.ctrl && input === "u") return _edit("kill_to_line_start");
  if (k.ctrl && input === "w") return _edit("kill_word");
  if (k.ctrl || k.meta || input === "") return [];
  return typedChunk(input);
}

/** Text typed faster than a read arrives as one chunk; a CR in it is an Enter. */
export function typedChunk(chunk: string): KeyAction[] {
  const out: KeyAction[] = [];
  for (const part of chunk.split(/(\r\n?|\n)/)) {
    if (part === "\n") out.push({ type: "edit", op: "newline" });
    else if (part.startsWith("\r")) out.push({ type: "enter" });
    else if (part !== "") out.push({ type: "insert", text: part });
  }
  return out;
}
