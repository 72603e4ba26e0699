// deno-lint-ignore-file jsx-curly-braces -- braces keep leading/trailing spaces through fmt
/** Phase, seq and connection on the left; key hints or a transient message on the right. */
import { Box, Text } from "ink";
import { memo } from "react";
import type { Phase } from "../../../specs/events.ts";
import type { ConnectionState } from "../chat_state.ts";

const PHASE_COLOR: Record<string, string> = {
  running: "green",
  restarting: "green",
  idle: "blue",
  error: "red",
  creating: "yellow",
  stopped: "gray",
};

export interface StatusLineProps {
  phase?: Phase;
  seq: number;
  connection: ConnectionState;
  hint: string;
  /** Transient message replacing the hint. */
  info?: string;
  /** Permission requests waiting for an answer: the run needs attention. */
  pendingPermissions?: number;
}

export const StatusLine = memo(function StatusLine(props: StatusLineProps) {
  const { phase, seq, connection, hint, info, pendingPermissions = 0 } = props;
  const connecting = connection === "connecting";
  return (
    <Box>
      <Text wrap="truncate-end">
        {/* Until the first answer, the phase we hold is a guess: say "connecting" instead. */}
        <Text color={connecting ? "yellow" : PHASE_COLOR[phase ?? ""] ?? "gray"}>{"● "}</Text>
        <Text>{connecting ? "connecting…" : phase ?? "unknown"}</Text>
        <Text dimColor>{` seq:${seq < 0 ? "-" : seq}`}</Text>
        {connection === "reconnecting" ? <Text color="yellow">{" reconnecting…"}</Text> : null}
        {connection === "closed" ? <Text color="red">{" disconnected"}</Text> : null}
        {pendingPermissions > 0
          ? (
            <Text color="yellow" bold>
              {` ⚠ ${pendingPermissions} permission${pendingPermissions > 1 ? "s" : ""} pending`}
            </Text>
          )
          : null}
        <Text dimColor>{"  ·  "}</Text>
        {info ? <Text color="yellow">{info}</Text> : <Text dimColor>{hint}</Text>}
      </Text>
    </Box>
  );
});
