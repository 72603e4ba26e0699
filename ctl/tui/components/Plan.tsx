// deno-lint-ignore-file jsx-curly-braces -- braces keep leading/trailing spaces through fmt
/** The agent's plan: entries with status marks. */
import { Box, Text } from "ink";
import { memo } from "react";
import type { PlanEntry } from "../chat_state.ts";

const MARKS: Record<string, { mark: string; color?: string }> = {
  completed: { mark: "✓", color: "green" },
  in_progress: { mark: "▶", color: "yellow" },
  pending: { mark: "○" },
};

export const Plan = memo(function Plan({ entries }: { entries: readonly PlanEntry[] }) {
  const done = entries.filter((e) => e.status === "completed").length;
  return (
    <Box flexDirection="column">
      <Text bold>{`Plan ${done}/${entries.length}`}</Text>
      {entries.map((e, i) => {
        const m = MARKS[e.status] ?? { mark: "?" };
        return (
          <Text key={i} dimColor={e.status === "completed"}>
            <Text color={m.color}>{`  ${m.mark} `}</Text>
            {e.content}
            {e.priority === "high" ? <Text color="red">{" !"}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
});
