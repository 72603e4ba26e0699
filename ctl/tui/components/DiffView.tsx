/** Unified diff of a file edit, with old/new line numbers, coloured -/+ lines. */
import { Box, Text } from "ink";
import { memo } from "react";
import { structuredPatch } from "diff";

export interface DiffRow {
  kind: "hunk" | "add" | "del" | "ctx";
  oldLine?: number;
  newLine?: number;
  text: string;
}

/** Rows of a unified diff between two texts (3 lines of context). */
export function diffRows(oldText: string, newText: string): DiffRow[] {
  const patch = structuredPatch("a", "b", oldText, newText, "", "", { context: 3 });
  const rows: DiffRow[] = [];
  for (const h of patch.hunks) {
    // Unified diff convention: an empty side starts at the line before (0 for a new file).
    const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
    const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
    rows.push({
      kind: "hunk",
      text: `@@ -${oldStart},${h.oldLines} +${newStart},${h.newLines} @@`,
    });
    let o = h.oldStart;
    let n = h.newStart;
    for (const line of h.lines) {
      const tag = line[0];
      const text = line.slice(1);
      if (tag === "-") rows.push({ kind: "del", oldLine: o++, text });
      else if (tag === "+") rows.push({ kind: "add", newLine: n++, text });
      else if (tag === " ") rows.push({ kind: "ctx", oldLine: o++, newLine: n++, text });
      // "\ No newline at end of file" markers are left out.
    }
  }
  return rows;
}

export interface DiffViewProps {
  path: string;
  oldText?: string;
  newText: string;
  /** Rows shown before a "more" hint; undefined shows all. */
  maxRows?: number;
}

export const DiffView = memo(function DiffView({ path, oldText, newText, maxRows }: DiffViewProps) {
  const rows = diffRows(oldText ?? "", newText);
  const added = rows.filter((r) => r.kind === "add").length;
  const removed = rows.filter((r) => r.kind === "del").length;
  const width = String(
    Math.max(0, ...rows.map((r) => Math.max(r.oldLine ?? 0, r.newLine ?? 0))),
  ).length;
  const shown = maxRows === undefined ? rows : rows.slice(0, maxRows);
  const pad = (n?: number) => (n === undefined ? "" : String(n)).padStart(width);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{oldText === undefined ? "new file " : ""}{path}</Text>
        <Text color="green">{` +${added}`}</Text>
        <Text color="red">{` -${removed}`}</Text>
      </Text>
      {shown.map((r, i) =>
        r.kind === "hunk"
          ? <Text key={i} color="cyan" dimColor>{r.text}</Text>
          : (
            <Text key={i} wrap="truncate-end">
              <Text dimColor>{`${pad(r.oldLine)} ${pad(r.newLine)} `}</Text>
              <Text color={r.kind === "add" ? "green" : r.kind === "del" ? "red" : undefined}>
                {`${r.kind === "add" ? "+" : r.kind === "del" ? "-" : " "} ${r.text}`}
              </Text>
            </Text>
          )
      )}
      {shown.length < rows.length && (
        <Text dimColor>{`… ${rows.length - shown.length} more diff lines`}</Text>
      )}
    </Box>
  );
});
