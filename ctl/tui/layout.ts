/**
 * The chat screen's rows, top to bottom: message list, divider, header, divider, permission
 * dialog, input, palette, divider, status line. The list gets what the others leave.
 */
import { PALETTE_ROWS } from "./components/CommandPalette.tsx";
import { PERMISSION_DIALOG_ROWS, PERMISSION_KEYS } from "./components/PermissionDialog.tsx";

const HINTS = {
  editor: "enter send · alt+enter newline · / commands · tab chat · ctrl+x cancel · ctrl+c quit",
  palette: "↑/↓ select · tab complete · enter run · esc close · ctrl+c quit",
  chat: "j/k select · space expand · ctrl+o expand all · g/G top/bottom · tab/esc editor",
} as const;

/** Max rows of the input editor. */
const INPUT_MAX_ROWS = 15;

export interface LayoutInput {
  /** Terminal size (0 when unknown). */
  rows: number;
  columns: number;
  focus: "editor" | "chat";
  busy: boolean;
  /** A permission dialog is shown. */
  asking: boolean;
  /** Entries of the command palette (0: closed). */
  paletteItems: number;
  editorText: string;
}

export interface Layout {
  /** Rows of the message list. */
  listHeight: number;
  width: number;
  /** The key hint on the status line. */
  hint: string;
}

/** The chat's layout for one render. */
export function chatLayout(o: LayoutInput): Layout {
  const paletteRows = o.paletteItems > 0 ? Math.min(PALETTE_ROWS, o.paletteItems) + 2 : 0;
  const inputRows = Math.min(INPUT_MAX_ROWS, o.editorText.split("\n").length) +
    (o.busy ? 1 : 0);
  const dialogRows = o.asking ? PERMISSION_DIALOG_ROWS : 0;
  const fixedRows = 1 + 1 + 1 + dialogRows + inputRows + paletteRows + 1 + 1;
  const hint = o.asking
    ? PERMISSION_KEYS
    : o.focus === "chat"
    ? HINTS.chat
    : o.paletteItems > 0
    ? HINTS.palette
    : HINTS.editor;
  return {
    listHeight: Math.max(3, (o.rows || 24) - fixedRows),
    width: Math.max(10, o.columns || 80),
    hint,
  };
}
