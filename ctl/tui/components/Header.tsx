/** `MASS > ws > name > model used/size`: where the chat is and how full the context is. */
import { Box, Text } from "ink";
import { memo } from "react";
import { formatTokens, type Usage } from "../chat_state.ts";

export interface HeaderProps {
  workspace: string;
  name: string;
  model?: string;
  usage?: Usage;
  title?: string;
}

export const Header = memo(function Header({ workspace, name, model, usage, title }: HeaderProps) {
  const sep = <Text dimColor>{" > "}</Text>;
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text bold color="magenta">MASS</Text>
        {sep}
        <Text>{workspace}</Text>
        {sep}
        <Text bold>{name}</Text>
        {model ? sep : null}
        {model ? <Text color="cyan">{model}</Text> : null}
        {usage ? <Text dimColor>{` ${formatUsage(usage)}`}</Text> : null}
        {title ? <Text dimColor>{`  ${title}`}</Text> : null}
      </Text>
    </Box>
  );
});

/** "1.2K/8K (15%)". */
export function formatUsage(u: Usage): string {
  const pct = u.size > 0 ? ` (${Math.round((u.used / u.size) * 100)}%)` : "";
  return `${formatTokens(u.used)}/${formatTokens(u.size)}${pct}`;
}
