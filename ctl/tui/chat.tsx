/**
 * `massctl agentrun chat NAME -w WS`: an interactive chat with one AgentRun, over ARI only.
 *
 * It replays the run's history (watch from seq 0), then follows live events; the watch
 * reconnects and resumes by itself. Prompts go through agentrun/prompt, so the daemon's
 * idle→running reservation applies to the chat like to every other client.
 */
import process from "node:process";
import { Box, render, Text, useInput, usePaste, useWindowSize } from "ink";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import type {
  AgentRun,
  AgentRunRuntimeStatus,
  AriPromptParams,
  AriRespondPermissionParams,
  AriSetModelParams,
  AriSetModeParams,
  PromptAccepted,
  RunKey,
} from "../../specs/ari.ts";
import { errorCode, errorMessage } from "../../specs/errors.ts";
import type { AgentRunEvent, PermissionAnswer } from "../../specs/events.ts";
import { AriClient, type WatchOptions } from "../ari_client.ts";
import {
  activePermission,
  type ChatModel,
  chatReducer,
  initialChatModel,
  isBusy,
  type NoticeLevel,
  type PermissionPrompt,
} from "./chat_state.ts";
import { oldestSeq } from "../client/oldest_seq.ts";
import { approveOption, denyChoice, type PermissionChoice } from "../client/permission_choice.ts";
import { type Completion, completions, helpLines, resolveInput } from "./commands.ts";
import * as ed from "./editor.ts";
import { CommandPalette, PALETTE_ROWS } from "./components/CommandPalette.tsx";
import { formatUsage, Header } from "./components/Header.tsx";
import { Input } from "./components/Input.tsx";
import { MessageList } from "./components/MessageList.tsx";
import {
  PERMISSION_DIALOG_ROWS,
  PERMISSION_KEYS,
  PermissionDialog,
} from "./components/PermissionDialog.tsx";
import { StatusLine } from "./components/StatusLine.tsx";

/** What the chat needs from an ARI connection. */
export type ChatClient = Pick<
  AriClient,
  | "agentrunGet"
  | "agentrunPrompt"
  | "agentrunCancel"
  | "agentrunSetModel"
  | "agentrunSetMode"
  | "agentrunStatus"
  | "agentrunRespondPermission"
  | "watch"
>;

export interface ChatAppProps {
  client: ChatClient;
  workspace: string;
  name: string;
  /** The run as fetched before the UI started. */
  initialRun?: AgentRun;
  onExit: (code: number) => void;
}

type Focus = "editor" | "chat";

const HINTS = {
  editor: "enter send · alt+enter newline · / commands · tab chat · ctrl+x cancel · ctrl+c quit",
  palette: "↑/↓ select · tab complete · enter run · esc close · ctrl+c quit",
  chat: "j/k select · space expand · ctrl+o expand all · g/G top/bottom · tab/esc editor",
} as const;

/** Max rows of the input editor. */
const INPUT_MAX_ROWS = 15;
/** How long a transient status message stays. */
const INFO_MS = 3000;
/** Events are applied in batches at most this often while streaming or replaying. */
const FLUSH_MS = 16;
/** How often a lost daemon is asked whether it is back. */
const PROBE_MS = 1000;

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
  const focus = useRef<Focus>("editor");
  const palette = useRef({ open: false, selected: 0, dismissed: false });
  const selected = useRef<number | undefined>(undefined);
  const scroll = useRef(0);
  const contentRows = useRef(0);
  const [expandAll, setExpandAll] = useState(false);
  const [info, setInfo] = useState<string | undefined>(undefined);
  const { columns, rows } = useWindowSize();

  const notice = useCallback(
    (level: NoticeLevel, text: string) => dispatch({ type: "notice", level, text }),
    [],
  );

  useEffect(() => {
    if (!info) return;
    const t = setTimeout(() => setInfo(undefined), INFO_MS);
    return () => clearTimeout(t);
  }, [info]);

  // Model, modes and commands the session started with are not events; ask for them.
  useEffect(() => {
    let live = true;
    client.agentrunStatus(key)
      .then((r) => {
        if (live && r.state.session) dispatch({ type: "session", session: r.state.session });
      })
      // No state yet (still creating): the header fills in from events instead.
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [client, workspace, name]);

  // History replay, then live events; the watch resumes from the last seq by itself.
  useEffect(() => {
    const ac = new AbortController();
    let buffer: AgentRunEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The watch says when it lost the daemon, not when it is back: ask the daemon directly.
    let probe: ReturnType<typeof setTimeout> | undefined;
    const probeDaemon = async () => {
      try {
        const run = await client.agentrunGet(key);
        probe = undefined;
        if (ac.signal.aborted) return;
        dispatch({ type: "snapshot", run });
        dispatch({ type: "connection", state: "live" });
      } catch {
        if (!ac.signal.aborted) probe = setTimeout(probeDaemon, PROBE_MS);
        else probe = undefined;
      }
    };
    const flush = () => {
      timer = undefined;
      const events = buffer;
      buffer = [];
      dispatch({ type: "events", events });
    };
    (async () => {
      try {
        // The whole history the log still holds (retention may have dropped its start).
        const fromSeq = await oldestSeq(client, key);
        if (ac.signal.aborted) return;
        const events = client.watch({
          ...key,
          fromSeq,
          signal: ac.signal,
          onReconnect: () => {
            if (ac.signal.aborted) return;
            dispatch({ type: "connection", state: "reconnecting" });
            probe ??= setTimeout(probeDaemon, PROBE_MS);
          },
        });
        for await (const ev of events) {
          if (ac.signal.aborted) break;
          buffer.push(ev);
          timer ??= setTimeout(flush, FLUSH_MS);
        }
      } catch (err) {
        if (ac.signal.aborted) return;
        dispatch({ type: "notice", level: "error", text: `watch failed: ${errorMessage(err)}` });
      }
      if (!ac.signal.aborted) dispatch({ type: "connection", state: "closed" });
    })();
    return () => {
      ac.abort();
      if (timer !== undefined) clearTimeout(timer);
      if (probe !== undefined) clearTimeout(probe);
    };
  }, [client, workspace, name]);

  const cancelTurn = async () => {
    try {
      await client.agentrunCancel(key);
      setInfo("cancel requested");
    } catch (err) {
      notice("error", `cancel failed: ${errorMessage(err)}`);
    }
  };

  const sendPrompt = async (text: string) => {
    dispatch({ type: "prompt_sent", text });
    try {
      await client.agentrunPrompt({ ...key, prompt: [{ type: "text", text }] });
    } catch (err) {
      const busy = errorCode(err) === -32001;
      dispatch({
        type: "prompt_failed",
        text,
        message: busy ? `not sent: ${errorMessage(err)}` : `prompt failed: ${errorMessage(err)}`,
      });
    }
  };

  /** y/a/n on the permission dialog; its permission_resolved event then removes it. */
  const answerPermission = async (p: PermissionPrompt, choice: PermissionChoice | undefined) => {
    if (!choice) {
      notice("error", `permission ${p.title}: no allow option offered; deny with n`);
      return;
    }
    // Hidden at once, so a second key press cannot answer it twice.
    dispatch({ type: "permission_dismiss", requestId: p.requestId });
    try {
      await client.agentrunRespondPermission({ ...key, requestId: p.requestId, ...choice });
    } catch (err) {
      notice("error", `permission answer failed: ${errorMessage(err)}`);
      // -32602: no longer pending (answered elsewhere, timed out); otherwise ask again.
      if (errorCode(err) !== -32602) dispatch({ type: "permission_restore" });
    }
  };

  const setOption = async (what: "model" | "mode", id: string) => {
    try {
      if (what === "model") await client.agentrunSetModel({ ...key, modelId: id });
      else await client.agentrunSetMode({ ...key, modeId: id });
      setInfo(`${what} set to ${id}`);
    } catch (err) {
      notice("error", `/${what} failed: ${errorMessage(err)}`);
    }
  };

  const runBuiltin = (name: string, args: string) => {
    const m = modelRef.current;
    switch (name) {
      case "help":
        notice("info", helpLines(m.commands).join("\n"));
        return;
      case "clear":
        dispatch({ type: "clear" });
        scroll.current = 0;
        setInfo("Chat cleared");
        return;
      case "cancel":
        if (isBusy(m)) void cancelTurn();
        else setInfo("no turn is running");
        return;
      case "model":
      case "mode": {
        if (args) {
          void setOption(name, args.split(/\s+/)[0]);
          return;
        }
        const current = name === "model" ? m.model : m.mode;
        const choices = (name === "model" ? m.models : m.modes).map((c) => c.id);
        notice(
          "info",
          `${name}: ${current ?? "unknown"}${
            choices.length ? ` (available: ${choices.join(", ")})` : ""
          }`,
        );
        return;
      }
      case "status":
        notice(
          "info",
          [
            `phase: ${m.phase ?? "unknown"}`,
            `model: ${m.model ?? "unknown"}`,
            `mode: ${m.mode ?? "unknown"}`,
            `usage: ${m.usage ? formatUsage(m.usage) : "unknown"}`,
            `seq: ${m.lastSeq}`,
            `session: ${m.sessionId ?? "none"}`,
          ].join(" · "),
        );
        return;
      case "permissions":
        if (m.permissions.length === 0) setInfo("no pending permission requests");
        else dispatch({ type: "permission_restore" });
        return;
      case "exit":
        onExit(0);
        return;
    }
  };

  const submit = (raw: string) => {
    if (raw.trim() === "") return;
    const r = resolveInput(raw, modelRef.current.commands);
    switch (r.kind) {
      case "prompt":
        void sendPrompt(raw.trim());
        return;
      case "agent":
        void sendPrompt(r.text);
        return;
      case "builtin":
        runBuiltin(r.name, r.args);
        return;
      case "unknown":
        notice("error", `unknown command /${r.name} (try /help)`);
    }
  };

  const currentCompletions = (): Completion[] => {
    const m = modelRef.current;
    // Recalled history is edited, not completed.
    const e = editor.current;
    if (palette.current.dismissed || e.historyIndex < e.history.length) return [];
    return completions(editor.current.text, {
      commands: m.commands,
      models: m.models,
      modes: m.modes,
    });
  };

  const setEditor = (next: ed.EditorState) => {
    if (next.text !== editor.current.text) {
      palette.current = { open: false, selected: 0, dismissed: false };
    }
    editor.current = next;
    rerender();
  };

  const page = () => Math.max(1, listHeight() - 1);
  const scrollBy = (delta: number) => {
    const max = Math.max(0, contentRows.current - listHeight());
    scroll.current = Math.min(max, Math.max(0, scroll.current + delta));
    rerender();
  };

  const moveSelection = (delta: number) => {
    const items = modelRef.current.items;
    if (items.length === 0) return;
    const at = items.findIndex((i) => i.id === selected.current);
    const from = at < 0 ? items.length : at;
    const next = Math.min(items.length - 1, Math.max(0, from + delta));
    selected.current = items[next].id;
    rerender();
  };

  usePaste((text) => {
    if (focus.current === "editor") setEditor(ed.insert(editor.current, text));
  });

  useInput((input, k) => {
    // Global keys.
    if (k.ctrl && input === "c") return onExit(0);
    if (k.ctrl && input === "x") {
      if (isBusy(modelRef.current)) void cancelTurn();
      else setInfo("no turn is running");
      return;
    }
    if (k.ctrl && input === "o") return setExpandAll((v) => !v);
    if (k.pageUp) return scrollBy(page());
    if (k.pageDown) return scrollBy(-page());

    // The permission dialog takes its keys first; everything else goes on as usual.
    const asking = activePermission(modelRef.current);
    if (asking && !k.ctrl && !k.meta) {
      if (input === "y") return void answerPermission(asking, optionChoice(asking, false));
      if (input === "a") return void answerPermission(asking, optionChoice(asking, true));
      if (input === "n") return void answerPermission(asking, denyChoice(asking));
      if (k.escape) return dispatch({ type: "permission_dismiss", requestId: asking.requestId });
    }

    if (focus.current === "chat") {
      // Keys typed faster than a read arrive as one string.
      if (input.length > 1 && !k.ctrl && !k.meta) {
        for (const ch of input) chatKey(ch, k);
        return;
      }
      return chatKey(input, k);
    }

    const items = currentCompletions();
    if (items.length > 0) {
      const p = palette.current;
      if (k.upArrow || k.downArrow) {
        const n = items.length;
        p.selected = (p.selected + (k.upArrow ? -1 : 1) + n) % n;
        return rerender();
      }
      if (k.escape) {
        palette.current = { open: false, selected: 0, dismissed: false };
        return setEditor(ed.emptyEditor(editor.current.history));
      }
      const choice = items[Math.min(p.selected, items.length - 1)];
      if (k.tab) return setEditor(ed.setText(editor.current, choice.value));
      if (k.return && !k.meta && !k.shift) {
        const value = choice.value.trim();
        // Enter runs a complete command; a name that takes arguments is completed first.
        if (value === editor.current.text.trim() || value.includes(" ") || !takesArgs(choice)) {
          setEditor(ed.commit(ed.setText(editor.current, value)).state);
          return submit(value);
        }
        return setEditor(ed.setText(editor.current, choice.value));
      }
    }
    editorKey(input, k);
  });

  function chatKey(input: string, k: Parameters<Parameters<typeof useInput>[0]>[1]) {
    if (k.tab || k.escape) {
      focus.current = "editor";
      selected.current = undefined;
      return rerender();
    }
    if (input === "j" || k.downArrow) return moveSelection(1);
    if (input === "k" || k.upArrow) return moveSelection(-1);
    if (input === "d") return scrollBy(-Math.floor(page() / 2));
    if (input === "u") return scrollBy(Math.floor(page() / 2));
    if (input === "f") return scrollBy(-page());
    if (input === "b") return scrollBy(page());
    if (input === "g" || k.home) return scrollBy(Number.MAX_SAFE_INTEGER);
    if (input === "G" || k.end) return scrollBy(-Number.MAX_SAFE_INTEGER);
    if (input === " " || k.return) {
      if (selected.current !== undefined) dispatch({ type: "toggle", itemId: selected.current });
    }
  }

  /** Enter: send, or a newline after a trailing backslash. */
  function enter() {
    const s = editor.current;
    if (ed.endsWithContinuation(s)) return setEditor(ed.continueLine(s));
    const { state, text } = ed.commit(s);
    setEditor(state);
    scroll.current = 0;
    submit(text);
  }

  /** Text typed faster than a read arrives as one chunk; a CR in it is an Enter. */
  function typeChunk(chunk: string) {
    const parts = chunk.split(/(\r\n?|\n)/);
    for (const part of parts) {
      if (part === "\n") setEditor(ed.insert(editor.current, "\n"));
      else if (part.startsWith("\r")) enter();
      else if (part !== "") setEditor(ed.insert(editor.current, part));
    }
  }

  function editorKey(input: string, k: Parameters<Parameters<typeof useInput>[0]>[1]) {
    const s = editor.current;
    if (k.return) {
      if (k.meta || k.shift) return setEditor(ed.insert(s, "\n"));
      return enter();
    }
    if (input === "\n") return setEditor(ed.insert(s, "\n")); // Ctrl+J
    if (k.tab) {
      if (s.text === "") {
        focus.current = "chat";
        moveSelection(0);
        return rerender();
      }
      return;
    }
    if (k.escape) {
      palette.current = { ...palette.current, dismissed: true };
      return rerender();
    }
    if (k.backspace) return setEditor(k.meta ? ed.killWord(s) : ed.backspace(s));
    if (k.delete) return setEditor(ed.deleteForward(s));
    if (k.leftArrow) return setEditor(ed.moveLeft(s));
    if (k.rightArrow) return setEditor(ed.moveRight(s));
    if (k.upArrow) return setEditor(ed.up(s));
    if (k.downArrow) return setEditor(ed.down(s));
    if (k.home || (k.ctrl && input === "a")) return setEditor(ed.lineStart(s));
    if (k.end || (k.ctrl && input === "e")) return setEditor(ed.lineEnd(s));
    if (k.ctrl && input === "u") return setEditor(ed.killToLineStart(s));
    if (k.ctrl && input === "w") return setEditor(ed.killWord(s));
    if (k.ctrl || k.meta || input === "") return;
    typeChunk(input);
  }

  // ---- layout ----
  const busy = isBusy(model);
  const asking = activePermission(model);
  const items = focus.current === "editor" ? currentCompletions() : [];
  const paletteRows = items.length > 0 ? Math.min(PALETTE_ROWS, items.length) + 2 : 0;
  const inputRows = Math.min(INPUT_MAX_ROWS, editor.current.text.split("\n").length) +
    (busy ? 1 : 0);
  const dialogRows = asking ? PERMISSION_DIALOG_ROWS : 0;
  const fixedRows = 1 + 1 + 1 + dialogRows + inputRows + paletteRows + 1 + 1;
  const listHeight = () => Math.max(3, (rows || 24) - fixedRows);
  const width = Math.max(10, columns || 80);
  const divider = <Text dimColor>{"─".repeat(width)}</Text>;
  const hint = asking
    ? PERMISSION_KEYS
    : focus.current === "chat"
    ? HINTS.chat
    : items.length > 0
    ? HINTS.palette
    : HINTS.editor;

  return (
    <Box flexDirection="column" width={width}>
      <MessageList
        items={model.items}
        height={listHeight()}
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
        hint={hint}
        info={info}
        pendingPermissions={model.permissions.length}
      />
    </Box>
  );
}

/** The option y (allow) or a (allow always) picks. */
function optionChoice(p: PermissionPrompt, always: boolean): PermissionChoice | undefined {
  const option = approveOption(p, always);
  return option ? { optionId: option.optionId } : undefined;
}

function takesArgs(c: Completion): boolean {
  // A label with an argument hint ("/model [id]") means the command takes arguments.
  return c.label.includes(" ");
}

export interface RunChatOptions {
  socketPath: string;
  workspace: string;
  name: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Where connection errors are printed before the UI starts (default: stderr). */
  stderr?: (line: string) => void;
}

/** Runs the chat until the user quits; resolves to the process exit code. */
export async function runChat(opts: RunChatOptions): Promise<number> {
  const printErr = opts.stderr ?? ((line: string) => console.error(line));
  let client: AriClient;
  try {
    client = await AriClient.connect(opts.socketPath, { connectTimeoutMs: 5_000 });
  } catch (err) {
    printErr(`Error: cannot connect to ${opts.socketPath}: ${errorMessage(err)}`);
    return 1;
  }
  const chatClient = new RedialingClient(client, opts.socketPath);
  let run: AgentRun;
  try {
    run = await client.agentrunGet({ workspace: opts.workspace, name: opts.name });
  } catch (err) {
    printErr(`Error: ${errorMessage(err)}`);
    chatClient.close();
    return 1;
  }
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  const app = render(
    <ChatApp
      client={chatClient}
      workspace={opts.workspace}
      name={opts.name}
      initialRun={run}
      onExit={(code) => resolveExit(code)}
    />,
    {
      stdin: opts.stdin,
      stdout: opts.stdout,
      // ink turns itself non-interactive when CI is set; a chat in a terminal is interactive.
      interactive: (opts.stdout ?? process.stdout).isTTY === true,
      exitOnCtrlC: false,
      alternateScreen: true,
      patchConsole: false,
    },
  );
  const code = await exited;
  app.unmount();
  await app.waitUntilExit().catch(() => {});
  chatClient.close();
  return code;
}

/**
 * An ARI client for commands that redials when its connection dropped (the daemon
 * restarted), so prompts work again once the watch has reconnected.
 */
class RedialingClient implements ChatClient {
  #client: AriClient;
  #closed = false;
  #dead = false;
  readonly #socketPath: string;

  constructor(client: AriClient, socketPath: string) {
    this.#client = client;
    this.#socketPath = socketPath;
    this.#watchClose(client);
  }

  #watchClose(c: AriClient): void {
    c.closed.then(() => {
      if (c === this.#client) this.#dead = true;
    });
  }

  async #get(): Promise<AriClient> {
    if (this.#closed) throw new Error("chat closed");
    if (!this.#dead) return this.#client;
    const c = await AriClient.connect(this.#socketPath, { connectTimeoutMs: 5_000 });
    this.#client = c;
    this.#dead = false;
    this.#watchClose(c);
    return c;
  }

  async agentrunGet(key: RunKey): Promise<AgentRun> {
    return (await this.#get()).agentrunGet(key);
  }
  async agentrunPrompt(params: AriPromptParams): Promise<PromptAccepted> {
    return (await this.#get()).agentrunPrompt(params);
  }
  async agentrunCancel(key: RunKey): Promise<null> {
    return (await this.#get()).agentrunCancel(key);
  }
  async agentrunSetModel(params: AriSetModelParams): Promise<null> {
    return (await this.#get()).agentrunSetModel(params);
  }
  async agentrunSetMode(params: AriSetModeParams): Promise<null> {
    return (await this.#get()).agentrunSetMode(params);
  }
  async agentrunStatus(key: RunKey): Promise<AgentRunRuntimeStatus> {
    return (await this.#get()).agentrunStatus(key);
  }
  async agentrunRespondPermission(params: AriRespondPermissionParams): Promise<PermissionAnswer> {
    return (await this.#get()).agentrunRespondPermission(params);
  }
  watch(opts: WatchOptions): AsyncIterable<AgentRunEvent> {
    return this.#client.watch(opts);
  }
  close(): void {
    this.#closed = true;
    this.#client.close();
  }
}
