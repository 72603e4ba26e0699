/**
 * The input editor as pure functions over an immutable state: a multi-line buffer with a
 * cursor, and a prompt history (↑/↓ on the first/last line, the draft kept while browsing).
 */

export const HISTORY_LIMIT = 100;

export interface EditorState {
  readonly text: string;
  /** Cursor offset into `text` (UTF-16 units, always on a code point boundary). */
  readonly cursor: number;
  /** Oldest first. */
  readonly history: readonly string[];
  /** Index into history while browsing; history.length when editing the draft. */
  readonly historyIndex: number;
  /** What was typed before browsing started. */
  readonly draft: string;
}

/** An empty editor over `history`, with the history cursor past its last entry. */
export function emptyEditor(history: readonly string[] = []): EditorState {
  return { text: "", cursor: 0, history, historyIndex: history.length, draft: "" };
}

/** Replaces the text and puts the cursor at its end. */
export function setText(s: EditorState, text: string): EditorState {
  return { ...s, text, cursor: text.length };
}

/** Inserts `str` at the cursor (CRLF and CR become LF) and moves the cursor past it. */
export function insert(s: EditorState, str: string): EditorState {
  const clean = str.replace(/\r\n?/g, "\n");
  return {
    ...s,
    text: s.text.slice(0, s.cursor) + clean + s.text.slice(s.cursor),
    cursor: s.cursor + clean.length,
  };
}

/** Deletes the character before the cursor (Backspace). */
export function backspace(s: EditorState): EditorState {
  if (s.cursor === 0) return s;
  const from = prevBoundary(s.text, s.cursor);
  return { ...s, text: s.text.slice(0, from) + s.text.slice(s.cursor), cursor: from };
}

/** Deletes the character under the cursor (Delete). */
export function deleteForward(s: EditorState): EditorState {
  if (s.cursor >= s.text.length) return s;
  const to = nextBoundary(s.text, s.cursor);
  return { ...s, text: s.text.slice(0, s.cursor) + s.text.slice(to) };
}

/** Moves the cursor one character left. */
export function moveLeft(s: EditorState): EditorState {
  return { ...s, cursor: prevBoundary(s.text, s.cursor) };
}

/** Moves the cursor one character right. */
export function moveRight(s: EditorState): EditorState {
  return { ...s, cursor: nextBoundary(s.text, s.cursor) };
}

/** Moves the cursor to the start of its line (Home). */
export function lineStart(s: EditorState): EditorState {
  return { ...s, cursor: s.text.lastIndexOf("\n", s.cursor - 1) + 1 };
}

/** Moves the cursor to the end of its line (End). */
export function lineEnd(s: EditorState): EditorState {
  const nl = s.text.indexOf("\n", s.cursor);
  return { ...s, cursor: nl < 0 ? s.text.length : nl };
}

/** Deletes from the line start to the cursor (Ctrl+U). */
export function killToLineStart(s: EditorState): EditorState {
  const start = s.text.lastIndexOf("\n", s.cursor - 1) + 1;
  return { ...s, text: s.text.slice(0, start) + s.text.slice(s.cursor), cursor: start };
}

/** Deletes the word before the cursor (Ctrl+W). */
export function killWord(s: EditorState): EditorState {
  const before = s.text.slice(0, s.cursor);
  const start = before.replace(/\S+\s*$|\s+$/, "").length;
  return { ...s, text: s.text.slice(0, start) + s.text.slice(s.cursor), cursor: start };
}

/** Row and column of the cursor. */
export function cursorPosition(s: EditorState): { row: number; col: number } {
  const before = s.text.slice(0, s.cursor);
  const row = before.split("\n").length - 1;
  return { row, col: s.cursor - (before.lastIndexOf("\n") + 1) };
}

/** ↑: previous line, or older history entry when on the first line. */
export function up(s: EditorState): EditorState {
  const { row, col } = cursorPosition(s);
  if (row > 0) return moveToRow(s, row - 1, col);
  if (s.historyIndex === 0 || s.history.length === 0) return s;
  const draft = s.historyIndex === s.history.length ? s.text : s.draft;
  const index = s.historyIndex - 1;
  const text = s.history[index];
  return { ...s, historyIndex: index, draft, text, cursor: text.length };
}

/** ↓: next line, or newer history entry (then the draft) when on the last line. */
export function down(s: EditorState): EditorState {
  const { row, col } = cursorPosition(s);
  const rows = s.text.split("\n").length;
  if (row < rows - 1) return moveToRow(s, row + 1, col);
  if (s.historyIndex >= s.history.length) return s;
  const index = s.historyIndex + 1;
  const text = index === s.history.length ? s.draft : s.history[index];
  return { ...s, historyIndex: index, text, cursor: text.length };
}

function moveToRow(s: EditorState, row: number, col: number): EditorState {
  const lines = s.text.split("\n");
  let offset = 0;
  for (let i = 0; i < row; i++) offset += lines[i].length + 1;
  return { ...s, cursor: offset + Math.min(col, lines[row].length) };
}

/**
 * Ends editing of the current text: it goes into history (consecutive duplicates and
 * blank entries skipped, at most HISTORY_LIMIT kept) and the buffer is emptied.
 */
export function commit(s: EditorState): { state: EditorState; text: string } {
  const text = s.text;
  return { state: emptyEditor(pushHistory(s.history, text)), text };
}

/**
 * `history` with `entry` appended, unless it is blank or repeats the last entry; keeps the
 * newest HISTORY_LIMIT entries.
 */
export function pushHistory(history: readonly string[], entry: string): string[] {
  if (entry.trim() === "" || history[history.length - 1] === entry) return [...history];
  const next = [...history, entry];
  return next.length > HISTORY_LIMIT ? next.slice(next.length - HISTORY_LIMIT) : next;
}

/** True when Enter should insert a newline instead of sending: a trailing backslash. */
export function endsWithContinuation(s: EditorState): boolean {
  return s.cursor === s.text.length && s.text.endsWith("\\");
}

/** Replaces the trailing backslash with a newline. */
export function continueLine(s: EditorState): EditorState {
  const text = s.text.slice(0, -1) + "\n";
  return { ...s, text, cursor: text.length };
}

function prevBoundary(text: string, i: number): number {
  if (i <= 0) return 0;
  const c = text.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? i - 2 : i - 1;
}

function nextBoundary(text: string, i: number): number {
  if (i >= text.length) return text.length;
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? i + 2 : i + 1;
}
