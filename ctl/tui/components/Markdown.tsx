/** Renders agent markdown (see markdown.ts) as ink text lines. */
import { Box, Text } from "ink";
import { memo } from "react";
import { type MdLine, parseMarkdown, type Span } from "../markdown.ts";

export interface MarkdownProps {
  text: string;
  /** Render everything dimmed (system turns, thinking). */
  dim?: boolean;
}

export const Markdown = memo(function Markdown({ text, dim }: MarkdownProps) {
  const lines = parseMarkdown(text);
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => <MarkdownLine key={i} line={line} dim={dim} />)}
    </Box>
  );
});

function MarkdownLine({ line, dim }: { line: MdLine; dim?: boolean }) {
  switch (line.kind) {
    case "blank":
      return <Text></Text>;
    case "rule":
      return <Text dimColor>{"─".repeat(40)}</Text>;
    case "code":
      return (
        <Text wrap="truncate-end">
          <Text dimColor>│</Text>
          {line.spans.map((s, i) => (
            <Text key={i} color="yellow" dimColor={dim || s.dim}>{s.text}</Text>
          ))}
        </Text>
      );
    case "heading":
      return (
        <Text bold color="cyan" underline={line.level === 1} dimColor={dim}>
          {line.spans.map((s, i) => <SpanText key={i} span={s} dim={dim} />)}
        </Text>
      );
    case "quote":
      return (
        <Text dimColor>
          {"▎ "}
          {line.spans.map((s, i) => <SpanText key={i} span={s} dim />)}
        </Text>
      );
    default:
      return (
        <Text dimColor={dim}>
          {line.spans.map((s, i) => <SpanText key={i} span={s} dim={dim} />)}
        </Text>
      );
  }
}

function SpanText({ span, dim }: { span: Span; dim?: boolean }) {
  return (
    <Text
      bold={span.bold}
      italic={span.italic}
      underline={span.link}
      color={span.code ? "yellow" : span.link ? "blue" : undefined}
      dimColor={dim || span.dim}
    >
      {span.text}
    </Text>
  );
}
