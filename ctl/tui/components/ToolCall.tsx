/** A tool call: status-coloured left border, name and title, output (10 lines unless expanded). */
import { Box, Text } from "ink";
import { memo } from "react";
import type { ToolItem, ToolOutput } from "../chat_state.ts";
import { DiffView } from "./DiffView.tsx";

/** Output lines shown while collapsed. */
export const TOOL_PREVIEW_LINES = 10;

const STATUS: Record<string, { color: string; mark: string }> = {
  pending: { color: "gray", mark: "○" },
  in_progress: { color: "yellow", mark: "◐" },
  completed: { color: "green", mark: "✓" },
  failed: { color: "red", mark: "✗" },
};

/** Colour and mark for a tool call's status; a grey dot for an unknown status. */
export function statusStyle(status: string): { color: string; mark: string } {
  return STATUS[status] ?? { color: "gray", mark: "·" };
}

export interface ToolCallProps {
  item: ToolItem;
  selected?: boolean;
}

export const ToolCall = memo(function ToolCall({ item, selected }: ToolCallProps) {
  const s = statusStyle(item.status);
  const where = item.locations.map((l) => (l.line ? `${l.path}:${l.line}` : l.path)).join(", ");
  const title = item.title && item.title !== item.name ? item.title : "";
  return (
    <Box
      flexDirection="column"
      borderStyle="bold"
      borderLeft
      borderRight={false}
      borderTop={false}
      borderBottom={false}
      borderColor={s.color}
      paddingLeft={1}
    >
      <Text wrap="truncate-end" inverse={selected}>
        <Text color={s.color}>{s.mark}</Text>
        <Text bold>{` ${item.name}`}</Text>
        {title ? <Text>{` ${title}`}</Text> : null}
        {where ? <Text dimColor>{` (${where})`}</Text> : null}
        <Text dimColor>{` ${item.status.replace("_", " ")}`}</Text>
      </Text>
      {item.outputs.map((o, i) => <Output key={i} output={o} expanded={!!item.expanded} />)}
    </Box>
  );
});

function Output({ output, expanded }: { output: ToolOutput; expanded: boolean }) {
  switch (output.type) {
    case "diff":
      return (
        <DiffView
          path={output.path}
          oldText={output.oldText}
          newText={output.newText}
          maxRows={expanded ? undefined : TOOL_PREVIEW_LINES}
        />
      );
    case "terminal":
      return <Text dimColor>{`[terminal ${output.terminalId}]`}</Text>;
    case "text": {
      const lines = output.text.replace(/\n+$/, "").split("\n");
      const shown = expanded ? lines : lines.slice(0, TOOL_PREVIEW_LINES);
      return (
        <Box flexDirection="column">
          {shown.map((l, i) => <Text key={i} dimColor>{l}</Text>)}
          {shown.length < lines.length && (
            <Text dimColor italic>{`… ${lines.length - shown.length} more lines`}</Text>
          )}
        </Box>
      );
    }
  }
}
