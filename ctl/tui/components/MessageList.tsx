// deno-lint-ignore-file jsx-curly-braces -- braces keep leading/trailing spaces through fmt
/**
 * The chat transcript. With a height it is a bottom-anchored viewport: the newest lines stay
 * visible and `scroll` moves the view up by that many lines.
 */
import { Box, type DOMElement, measureElement, Text } from "ink";
import { memo, useEffect, useRef } from "react";
import type { ChatItem } from "../chat_state.ts";
import { Markdown } from "./Markdown.tsx";
import { Plan } from "./Plan.tsx";
import { ToolCall } from "./ToolCall.tsx";

/** Items kept in the render tree; older ones are summarised by a count. */
export const MAX_RENDERED_ITEMS = 300;

export interface MessageListProps {
  items: readonly ChatItem[];
  /** Item highlighted in chat focus. */
  selectedId?: number;
  /** Expand every expandable item (thinking, tool output, system prompt). */
  expandAll?: boolean;
  /** Rows of the viewport; undefined renders everything. */
  height?: number;
  /** Lines scrolled up from the bottom. */
  scroll?: number;
  /** Reports the full content height (for clamping the scroll). */
  onMeasure?: (rows: number) => void;
}

export const MessageList = memo(function MessageList(props: MessageListProps) {
  const { items, selectedId, expandAll, height, scroll = 0, onMeasure } = props;
  const inner = useRef<DOMElement>(null);
  useEffect(() => {
    if (inner.current && onMeasure) onMeasure(measureElement(inner.current).height);
  });
  const hidden = Math.max(0, items.length - MAX_RENDERED_ITEMS);
  const shown = hidden > 0 ? items.slice(hidden) : items;
  const content = (
    <Box ref={inner} flexDirection="column" flexShrink={0} marginBottom={-scroll}>
      {hidden > 0 ? <Text dimColor>{`… ${hidden} earlier items`}</Text> : null}
      {shown.length === 0 ? <Text dimColor>No messages yet.</Text> : null}
      {shown.map((item) => (
        <ItemView
          key={item.id}
          item={item}
          selected={item.id === selectedId}
          marked={selectedId !== undefined}
          expanded={!!item.expanded !== !!expandAll}
        />
      ))}
    </Box>
  );
  if (height === undefined) return content;
  return (
    <Box height={height} flexDirection="column" justifyContent="flex-end" overflow="hidden">
      {content}
    </Box>
  );
});

interface ItemViewProps {
  item: ChatItem;
  selected: boolean;
  /** Chat focus is on: draw the selection gutter. */
  marked: boolean;
  expanded: boolean;
}

const ItemView = memo(function ItemView({ item, selected, marked, expanded }: ItemViewProps) {
  const body = <ItemBody item={item} expanded={expanded} selected={selected} />;
  const gap = item.kind === "notice" ? 0 : 1;
  if (!marked) return <Box marginTop={gap} flexDirection="column">{body}</Box>;
  return (
    <Box marginTop={gap}>
      <Box width={2} flexShrink={0}>
        <Text color="cyan">{selected ? "›" : " "}</Text>
      </Box>
      <Box flexDirection="column" flexGrow={1}>{body}</Box>
    </Box>
  );
});

/** Collapsed form of a long text: first line and the line count. */
export function collapsed(text: string): string {
  const lines = text.trim().split("\n");
  return lines.length > 1 ? `${lines[0]} … (${lines.length} lines)` : lines[0];
}

function ItemBody({ item, expanded, selected }: {
  item: ChatItem;
  expanded: boolean;
  selected: boolean;
}) {
  switch (item.kind) {
    case "user":
      return (
        <Box>
          <Text color="green" bold>{"❯ "}</Text>
          <Text bold dimColor={item.pending}>{item.text}</Text>
        </Box>
      );
    case "system_prompt":
      return (
        <Box flexDirection="column">
          <Text dimColor inverse={selected}>
            {`⚙ system prompt${expanded ? "" : ` (${item.text.split("\n").length} lines)`}`}
          </Text>
          {expanded ? <Text dimColor>{item.text}</Text> : null}
        </Box>
      );
    case "assistant":
      return <Markdown text={item.text} />;
    case "thinking":
      return (
        <Box flexDirection="column">
          <Text dimColor italic inverse={selected} wrap={expanded ? "wrap" : "truncate-end"}>
            {`✻ ${expanded ? "thinking" : collapsed(item.text)}`}
          </Text>
          {expanded ? <Text dimColor italic>{item.text}</Text> : null}
        </Box>
      );
    case "tool":
      return <ToolCall item={{ ...item, expanded }} selected={selected} />;
    case "plan":
      return <Plan entries={item.entries} />;
    case "notice": {
      const color = item.level === "error" ? "red" : item.level === "warn" ? "yellow" : undefined;
      const mark = item.level === "error" ? "✗" : item.level === "warn" ? "!" : "·";
      return <Text color={color} dimColor={item.level === "info"}>{`${mark} ${item.text}`}</Text>;
    }
  }
}
