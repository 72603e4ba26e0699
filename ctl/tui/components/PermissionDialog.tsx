// deno-lint-ignore-file jsx-curly-braces -- braces keep leading/trailing spaces through fmt
/** A permission request waiting for an answer: the tool call, its options, the keys. */
import { Box, Text } from "ink";
import { memo } from "react";
import type { PermissionPrompt } from "../chat_state.ts";

/** Rows the dialog takes: border, title, options, keys, border. */
export const PERMISSION_DIALOG_ROWS = 5;

export const PERMISSION_KEYS = "y allow · a allow always · n deny · esc later";

export interface PermissionDialogProps {
  request: PermissionPrompt;
  /** All pending requests, this one included. */
  pending: number;
}

export const PermissionDialog = memo(function PermissionDialog(props: PermissionDialogProps) {
  const { request, pending } = props;
  const more = pending > 1 ? ` (1 of ${pending} pending)` : "";
  const options = request.options.map((o) => o.name || o.optionId).join(" · ") || "none";
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1}>
      <Text wrap="truncate-end">
        <Text color="yellow" bold>{"Permission: "}</Text>
        <Text>{request.title}</Text>
        {request.toolKind ? <Text dimColor>{` (${request.toolKind})`}</Text> : null}
        <Text dimColor>{more}</Text>
      </Text>
      <Text wrap="truncate-end" dimColor>{`options: ${options}`}</Text>
      <Text wrap="truncate-end" color="cyan">{PERMISSION_KEYS}</Text>
    </Box>
  );
});
