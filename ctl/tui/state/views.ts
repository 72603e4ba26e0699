/** What the views derive from the chat model. */
import type { ChatModel } from "./model.ts";

/** True while a turn runs: the input shows a spinner and Ctrl+X cancels. */
export function isBusy(model: ChatModel): boolean {
  return model.phase === "running";
}

/** "12.3K", "1.2M", "512". */
export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${_trimZero((n / 1_000_000).toFixed(1))}M`;
  if (n >= 1_000) return `${_trimZero((n / 1_000).toFixed(1))}K`;
  return String(n);
}

function _trimZero(s: string): string {
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}
