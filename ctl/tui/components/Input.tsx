// deno-lint-ignore-file jsx-curly-braces -- braces keep leading/trailing spaces through fmt
/** The prompt editor: multi-line text with a block cursor, and a spinner while a turn runs. */
import { Box, Text, useAnimation } from "ink";
import { memo } from "react";
import type { EditorState } from "../editor.ts";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface InputProps {
  editor: EditorState;
  /** A turn is running: show the spinner line. */
  busy?: boolean;
  focused?: boolean;
  placeholder?: string;
}

export const Input = memo(
  function Input({ editor, busy, focused = true, placeholder }: InputProps) {
    const lines = editor.text.split("\n");
    let offset = 0;
    return (
      <Box flexDirection="column">
        {busy ? <Spinner /> : null}
        {editor.text === "" && placeholder
          ? (
            <Text>
              <Text color="cyan">{"> "}</Text>
              {focused ? <Text inverse>{" "}</Text> : null}
              <Text dimColor>{placeholder}</Text>
            </Text>
          )
          : lines.map((line, i) => {
            const start = offset;
            offset += line.length + 1;
            const at = editor.cursor - start;
            const here = focused && at >= 0 && at <= line.length;
            return (
              <Text key={i}>
                <Text color="cyan">{i === 0 ? "> " : "  "}</Text>
                {here
                  ? (
                    <>
                      {line.slice(0, at)}
                      <Text inverse>{charAt(line, at) || " "}</Text>
                      {line.slice(at + charAt(line, at).length)}
                    </>
                  )
                  : line}
              </Text>
            );
          })}
      </Box>
    );
  },
);

/** The whole code point at `i` (a surrogate pair stays together), or "" at the end. */
function charAt(line: string, i: number): string {
  const cp = line.codePointAt(i);
  return cp === undefined ? "" : String.fromCodePoint(cp);
}

function Spinner() {
  const { frame } = useAnimation({ interval: 80 });
  return (
    <Text>
      <Text color="green">{SPINNER[frame % SPINNER.length]}</Text>
      <Text dimColor>{" working… ctrl+x to cancel"}</Text>
    </Text>
  );
}
