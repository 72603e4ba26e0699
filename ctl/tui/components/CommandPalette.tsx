/** Completion popup: up to 8 rows around the selection, filtered by the typed prefix. */
import { Box, Text } from "ink";
import { memo } from "react";
import type { Completion } from "../commands.ts";

export const PALETTE_ROWS = 8;

export interface CommandPaletteProps {
  items: readonly Completion[];
  selected: number;
}

export const CommandPalette = memo(
  function CommandPalette({ items, selected }: CommandPaletteProps) {
    if (items.length === 0) return null;
    const start = Math.max(0, Math.min(selected - PALETTE_ROWS + 1, items.length - PALETTE_ROWS));
    const shown = items.slice(Math.max(0, start), Math.max(0, start) + PALETTE_ROWS);
    const width = Math.max(...items.map((c) => c.label.length));
    return (
      <Box flexDirection="column" borderStyle="single" borderColor="gray" paddingX={1}>
        {shown.map((c, i) => {
          const on = i + Math.max(0, start) === selected;
          return (
            <Text key={c.value} wrap="truncate-end" inverse={on}>
              <Text color={on ? undefined : "cyan"}>{c.label.padEnd(width)}</Text>
              <Text dimColor={!on}>{`  ${c.description}`}</Text>
            </Text>
          );
        })}
      </Box>
    );
  },
);
