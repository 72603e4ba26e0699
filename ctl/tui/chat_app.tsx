/**
 * The chat screen: the chat model (chat_state.ts) fed by the run's events, the keys
 * (keymap.ts) carried out on the editor, palette, selection and scroll, and the views.
 */
import { Box, Text, useInput, usePaste, useWindowSize } from "ink";
import { useEffect, useReducer, useRef, useState } from "react";
import type { AgentRun, RunKey } from "../../specs/ari.ts";
import { denyChoice } from "../client/permission_choice.ts";
import { activePermission, type ChatModel, chatReducer, initialChatModel } from "./chat_state.ts";
import { isBusy } from "./state/views.ts";
import type { ChatClient } from "./chat_client.ts";
import { allowChoice, chatRequests } from "./chat_requests.ts";
import { useRunEvents } from "./use_run_events.ts";
import { builtinEffect } from "./builtins.ts";
import { type Completion, completions, resolveInput } from "./commands.ts";
import * as ed from "./editor.ts";
import { type EditOp, type KeyAction, keyActions, type ScrollAmount } from "./keymap.ts";
import { chatLayout } from "./layout.ts";
import { CommandPalette } from "./components/CommandPalette.tsx";
import { Header } from "./components/Header.tsx";
import { Input } from "./components/Input.tsx";
import { MessageList } from "./components/MessageList.tsx";
import { PermissionDialog } from "./components/PermissionDialog.tsx";
import { StatusLine } from "./components/StatusLine.tsx";

export interface ChatAppProps {
  client: ChatClient;
  workspace: string;
  name: string;
  /** The run as fetched before the UI started. */
  initialRun?: AgentRun;
  onExit: (code: number) => void;
}

/** How long a transient status message stays. */
const INFO_MS = 3000;

const EDITS: Record<EditOp, (s: ed.EditorState) => ed.EditorState> = {
  newline: (s) => ed.insert(s, "\n"),
  backspace: ed.backspace,
  kill_word: ed.killWord,
  delete_forward: ed.deleteForward,
  left: ed.moveLeft,
  right: ed.moveRight,
  up: ed.up,
  down: ed.down,
  line_start: ed.lineStart,
  line_end: ed.lineEnd,
  kill_to_line_start: ed.killToLineStart,
};

/** The chat with one AgentRun. */
export function ChatApp({ client, workspace, name, initialRun, onExit }: ChatAppProps) {
  const key: RunKey = { workspace, name };
  const [model, dispatch] = useReducer(
    chatReducer,
    initialRun,
    (run) => run ? chatReducer(initialChatModel(), { type: "snapshot", run }) : initialChatModel(),
  );
  const modelRef = useRef<ChatModel>(model);
  modelRef.current = model;

  // UI state lives in refs so that several keys in one input chunk see each other's effect.
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const editor = useRef(ed.emptyEditor());
  const focus = useRef<"editor" | "chat">("editor");
  const palette = useRef({ open: false, selected: 0, dismissed: false });
  const selected = useRef<number | undefined>(undefined);
  const scroll = useRef(0);
  const contentRows = useRef(0);
  const [expandAll, setExpandAll] = useState(false);
  const [info, setInfo] = useState<string | undefined>(undefined);
  const { columns, rows } = useWindowSize();

  useEffect(() => {
    if (!info) return;
    const t = setTimeout(() => setInfo(undefined), INFO_MS);
    return () => clearTimeout(t);
  }, [info]);

  useRunEvents(client, key, dispatch);
  const requests = chatRequests({ client, key, dispatch, setInfo });

  const cancelIfBusy = () => {
    if (isBusy(modelRef.current)) void requests.cancelTurn();
    else setInfo("no turn is running");
  };

  const runBuiltin = (cmd: string, args: string) => {
    const effect = builtinEffect(cmd, args, modelRef.current);
    switch (effect?.type) {
      case "notice":
        return dispatch({ type: "notice", level: "info", text: effect.text });
      case "info":
        return setInfo(effect.text);
      case "clear":
        dispatch({ type: "clear" });
        scroll.current = 0;
        return setInfo("Chat cleared");
      case "cancel_turn":
        return void requests.cancelTurn();
      case "set":
        return void requests.setOption(effect.what, effect.id);
      case "restore_permissions":
        return dispatch({ type: "permission_restore" });
      case "show_diff":
        return void requests.showDiff(effect.stat);
      case "exit":
        return onExit(0);
    }
  };

  const submit = (raw: string) => {
    if (raw.trim() === "") return;
    const r = resolveInput(raw, modelRef.current.commands);
    // Text that could not be sent comes back into an empty editor rather than being lost.
    const keepUnsent = (sent: boolean) => {
      if (!sent && editor.current.text === "") setEditor(ed.setText(editor.current, raw.trim()));
    };
    switch (r.kind) {
      case "prompt":
        return void requests.sendPrompt(raw.trim()).then(keepUnsent);
      case "agent":
        return void requests.sendPrompt(r.text).then(keepUnsent);
      case "builtin":
        return runBuiltin(r.name, r.args);
      case "unknown":
        dispatch({
          type: "notice",
          level: "error",
          text: `unknown command /${r.name} (try /help)`,
        });
    }
  };

  const currentCompletions = (): Completion[] => {
    const m = modelRef.current;
    // Recalled history is edited, not completed.
    const e = editor.current;
    if (palette.current.dismissed || e.historyIndex < e.history.length) return [];
    return completions(e.text, { commands: m.commands, models: m.models, modes: m.modes });
  };

  const setEditor = (next: ed.EditorState) => {
    if (next.text !== editor.current.text) {
      palette.current = { open: false, selected: 0, dismissed: false };
    }
    editor.current = next;
    rerender();
  };

  // ---- layout ----
  const busy = isBusy(model);
  const asking = activePermission(model);
  const items = focus.current === "editor" ? currentCompletions() : [];
  const layout = chatLayout({
    rows,
    columns,
    focus: focus.current,
    busy,
    asking: asking !== undefined,
    paletteItems: items.length,
    editorText: editor.current.text,
  });

  const page = () => Math.max(1, layout.listHeight - 1);
  const scrollBy = (delta: number) => {
    const max = Math.max(0, contentRows.current - layout.listHeight);
    scroll.current = Math.min(max, Math.max(0, scroll.current + delta));
    rerender();
  };
  const scrollRows = (amount: ScrollAmount): number =>
    amount === "all"
      ? Number.MAX_SAFE_INTEGER
      : amount === "half"
      ? Math.floor(page() / 2)
      : page();

  const moveSelection = (delta: number) => {
    const list = modelRef.current.items;
    if (list.length === 0) return;
    const at = list.findIndex((i) => i.id === selected.current);
    const from = at < 0 ? list.length : at;
    const next = Math.min(list.length - 1, Math.max(0, from + delta));
    selected.current = list[next].id;
    rerender();
  };

  /** Enter: send, or a newline after a trailing backslash. */
  const enter = () => {
    const s = editor.current;
    if (ed.endsWithContinuation(s)) return setEditor(ed.continueLine(s));
    const { state, text } = ed.commit(s);
    setEditor(state);
    scroll.current = 0;
    submit(text);
  };

  /** Enter on the palette runs a complete command; one that takes arguments is completed. */
  const acceptCompletion = (choice: Completion) => {
    const value = choice.value.trim();
    if (value === editor.current.text.trim() || value.includes(" ") || !_takesArgs(choice)) {
      setEditor(ed.commit(ed.setText(editor.current, value)).state);
      return submit(value);
    }
    setEditor(ed.setText(editor.current, choice.value));
  };

  const perform = (a: KeyAction) => {
    switch (a.type) {
      case "quit":
        return onExit(0);
      case "cancel_turn":
        return cancelIfBusy();
      case "toggle_expand_all":
        return setExpandAll((v) => !v);
      case "scroll":
        return scrollBy(a.up ? scrollRows(a.amount) : -scrollRows(a.amount));
      case "permission": {
        const p = activePermission(modelRef.current);
        if (!p) return;
        if (a.answer === "dismiss") {
          return dispatch({ type: "permission_dismiss", requestId: p.requestId });
        }
        const choice = a.answer === "deny" ? denyChoice(p) : allowChoice(p, a.answer === "always");
        return void requests.answerPermission(p, choice);
      }
      case "focus":
        focus.current = a.to;
        if (a.to === "editor") selected.current = undefined;
        else moveSelection(0);
        return rerender();
      case "select":
        return moveSelection(a.delta);
      case "toggle_selected":
        if (selected.current !== undefined) dispatch({ type: "toggle", itemId: selected.current });
        return;
      case "palette_move": {
        const n = currentCompletions().length;
        if (n === 0) return;
        palette.current.selected = (palette.current.selected + a.delta + n) % n;
        return rerender();
      }
      case "palette_close":
        palette.current = { open: false, selected: 0, dismissed: false };
        return setEditor(ed.emptyEditor(editor.current.history));
      case "palette_complete":
      case "palette_accept": {
        const list = currentCompletions();
        if (list.length === 0) return;
        const choice = list[Math.min(palette.current.selected, list.length - 1)];
        if (a.type === "palette_complete") {
          return setEditor(ed.setText(editor.current, choice.value));
        }
        return acceptCompletion(choice);
      }
      case "palette_dismiss":
        palette.current = { ...palette.current, dismissed: true };
        return rerender();
      case "edit":
        return setEditor(EDITS[a.op](editor.current));
      case "enter":
        return enter();
      case "insert":
        return setEditor(ed.insert(editor.current, a.text));
    }
  };

  usePaste((text) => {
    if (focus.current === "editor") setEditor(ed.insert(editor.current, text));
  });

  useInput((input, k) => {
    const ctx = {
      focus: focus.current,
      asking: activePermission(modelRef.current) !== undefined,
      palette: focus.current === "editor" && currentCompletions().length > 0,
      editorEmpty: editor.current.text === "",
    };
    for (const action of keyActions(input, k, ctx)) perform(action);
  });

  const divider = <Text dimColor>{"─".repeat(layout.width)}</Text>;
  return (
    <Box flexDirection="column" width={layout.width}>
      <MessageList
        items={model.items}
        height={layout.listHeight}
        scroll={scroll.current}
        selectedId={focus.current === "chat" ? selected.current : undefined}
        expandAll={expandAll}
        onMeasure={(n) => (contentRows.current = n)}
      />
      {divider}
      <Header
        workspace={workspace}
        name={name}
        model={model.model}
        usage={model.usage}
        title={model.title}
      />
      {divider}
      {asking ? <PermissionDialog request={asking} pending={model.permissions.length} /> : null}
      <Input
        editor={editor.current}
        busy={busy}
        focused={focus.current === "editor"}
        placeholder={busy ? undefined : "Type a message, / for commands"}
      />
      {items.length > 0
        ? <CommandPalette items={items} selected={palette.current.selected % items.length} />
        : null}
      {divider}
      <StatusLine
        phase={model.phase}
        seq={model.lastSeq}
        connection={model.connection}
        hint={layout.hint}
        info={info}
        pendingPermissions={model.permissions.length}
      />
    </Box>
  );
}

function _takesArgs(c: Completion): boolean {
  // A label with an argument hint ("/model [id]") means the command takes arguments.
  return c.label.includes(" ");
}
