import assert from "node:assert/strict";
import { keyActions, type KeyContext, typedChunk } from "./keymap.ts";

const editor: KeyContext = { focus: "editor", asking: false, palette: false, editorEmpty: false };
const chat: KeyContext = { ...editor, focus: "chat" };

Deno.test("keymap: global keys win in every focus, even over the permission dialog", () => {
  for (const ctx of [editor, chat, { ...editor, asking: true, palette: true }]) {
    assert.deepEqual(keyActions("c", { ctrl: true }, ctx), [{ type: "quit" }]);
    assert.deepEqual(keyActions("x", { ctrl: true }, ctx), [{ type: "cancel_turn" }]);
    assert.deepEqual(keyActions("o", { ctrl: true }, ctx), [{ type: "toggle_expand_all" }]);
    assert.deepEqual(keyActions("", { pageUp: true }, ctx), [
      { type: "scroll", amount: "page", up: true },
    ]);
    assert.deepEqual(keyActions("", { pageDown: true }, ctx), [
      { type: "scroll", amount: "page", up: false },
    ]);
  }
});

Deno.test("keymap: the permission dialog takes y, a, n and Esc; other keys go on", () => {
  const asking = { ...editor, asking: true };
  assert.deepEqual(keyActions("y", {}, asking), [{ type: "permission", answer: "allow" }]);
  assert.deepEqual(keyActions("a", {}, asking), [{ type: "permission", answer: "always" }]);
  assert.deepEqual(keyActions("n", {}, asking), [{ type: "permission", answer: "deny" }]);
  assert.deepEqual(keyActions("", { escape: true }, asking), [
    { type: "permission", answer: "dismiss" },
  ]);
  // Not a dialog key: typed into the editor; with ctrl/meta: not the dialog's.
  assert.deepEqual(keyActions("q", {}, asking), [{ type: "insert", text: "q" }]);
  assert.deepEqual(keyActions("yes", {}, asking), [{ type: "insert", text: "yes" }]);
  assert.deepEqual(keyActions("y", { meta: true }, asking), []);
  // Without a dialog, y is text.
  assert.deepEqual(keyActions("y", {}, editor), [{ type: "insert", text: "y" }]);
});

Deno.test("keymap: chat focus moves, scrolls, expands and gives focus back", () => {
  assert.deepEqual(keyActions("j", {}, chat), [{ type: "select", delta: 1 }]);
  assert.deepEqual(keyActions("", { downArrow: true }, chat), [{ type: "select", delta: 1 }]);
  assert.deepEqual(keyActions("k", {}, chat), [{ type: "select", delta: -1 }]);
  assert.deepEqual(keyActions("", { upArrow: true }, chat), [{ type: "select", delta: -1 }]);
  assert.deepEqual(keyActions("d", {}, chat), [{ type: "scroll", amount: "half", up: false }]);
  assert.deepEqual(keyActions("u", {}, chat), [{ type: "scroll", amount: "half", up: true }]);
  assert.deepEqual(keyActions("f", {}, chat), [{ type: "scroll", amount: "page", up: false }]);
  assert.deepEqual(keyActions("b", {}, chat), [{ type: "scroll", amount: "page", up: true }]);
  assert.deepEqual(keyActions("g", {}, chat), [{ type: "scroll", amount: "all", up: true }]);
  assert.deepEqual(keyActions("", { home: true }, chat), [
    { type: "scroll", amount: "all", up: true },
  ]);
  assert.deepEqual(keyActions("G", {}, chat), [{ type: "scroll", amount: "all", up: false }]);
  assert.deepEqual(keyActions(" ", {}, chat), [{ type: "toggle_selected" }]);
  assert.deepEqual(keyActions("\r", { return: true }, chat), [{ type: "toggle_selected" }]);
  assert.deepEqual(keyActions("", { tab: true }, chat), [{ type: "focus", to: "editor" }]);
  assert.deepEqual(keyActions("", { escape: true }, chat), [{ type: "focus", to: "editor" }]);
  assert.deepEqual(keyActions("z", {}, chat), []);
  // Keys typed faster than a read: one action per key.
  assert.deepEqual(keyActions("jjk", {}, chat), [
    { type: "select", delta: 1 },
    { type: "select", delta: 1 },
    { type: "select", delta: -1 },
  ]);
});

Deno.test("keymap: the palette takes arrows, Esc, Tab and Enter; other keys edit", () => {
  const palette = { ...editor, palette: true };
  assert.deepEqual(keyActions("", { upArrow: true }, palette), [
    { type: "palette_move", delta: -1 },
  ]);
  assert.deepEqual(keyActions("", { downArrow: true }, palette), [
    { type: "palette_move", delta: 1 },
  ]);
  assert.deepEqual(keyActions("", { escape: true }, palette), [{ type: "palette_close" }]);
  assert.deepEqual(keyActions("", { tab: true }, palette), [{ type: "palette_complete" }]);
  assert.deepEqual(keyActions("\r", { return: true }, palette), [{ type: "palette_accept" }]);
  assert.deepEqual(keyActions("\r", { return: true, meta: true }, palette), [
    { type: "edit", op: "newline" },
  ]);
  assert.deepEqual(keyActions("m", {}, palette), [{ type: "insert", text: "m" }]);
});

Deno.test("keymap: editor keys", () => {
  const edit = (op: string) => [{ type: "edit", op }];
  assert.deepEqual(keyActions("\r", { return: true }, editor), [{ type: "enter" }]);
  assert.deepEqual(keyActions("\r", { return: true, shift: true }, editor), edit("newline"));
  assert.deepEqual(keyActions("\n", {}, editor), edit("newline"));
  assert.deepEqual(keyActions("", { backspace: true }, editor), edit("backspace"));
  assert.deepEqual(keyActions("", { backspace: true, meta: true }, editor), edit("kill_word"));
  assert.deepEqual(keyActions("", { delete: true }, editor), edit("delete_forward"));
  assert.deepEqual(keyActions("", { leftArrow: true }, editor), edit("left"));
  assert.deepEqual(keyActions("", { rightArrow: true }, editor), edit("right"));
  assert.deepEqual(keyActions("", { upArrow: true }, editor), edit("up"));
  assert.deepEqual(keyActions("", { downArrow: true }, editor), edit("down"));
  assert.deepEqual(keyActions("a", { ctrl: true }, editor), edit("line_start"));
  assert.deepEqual(keyActions("", { home: true }, editor), edit("line_start"));
  assert.deepEqual(keyActions("e", { ctrl: true }, editor), edit("line_end"));
  assert.deepEqual(keyActions("u", { ctrl: true }, editor), edit("kill_to_line_start"));
  assert.deepEqual(keyActions("w", { ctrl: true }, editor), edit("kill_word"));
  assert.deepEqual(keyActions("", { escape: true }, editor), [{ type: "palette_dismiss" }]);
  assert.deepEqual(keyActions("z", { ctrl: true }, editor), []);
  assert.deepEqual(keyActions("", {}, editor), []);
  // Tab focuses the chat only from an empty editor.
  assert.deepEqual(keyActions("", { tab: true }, editor), []);
  assert.deepEqual(keyActions("", { tab: true }, { ...editor, editorEmpty: true }), [
    { type: "focus", to: "chat" },
  ]);
});

Deno.test("keymap: a typed chunk splits at line ends; a CR is an Enter", () => {
  assert.deepEqual(typedChunk("hi"), [{ type: "insert", text: "hi" }]);
  assert.deepEqual(typedChunk("a\nb\r\nc\r"), [
    { type: "insert", text: "a" },
    { type: "edit", op: "newline" },
    { type: "insert", text: "b" },
    { type: "enter" },
    { type: "insert", text: "c" },
    { type: "enter" },
  ]);
  assert.deepEqual(keyActions("one\rtwo", {}, editor), typedChunk("one\rtwo"));
});
