/**
 * The test agent's word handling: splitting a command line into its arguments (plain or
 * shell-like), terminal command lines, and the small formatting helpers its replies use.
 */
import * as acp from "@agentclientprotocol/sdk";

/** The message of a thrown value. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Splits off the first `n` words of `line`; returns them and the rest of the line. */
export function splitWords(line: string, n: number): [string[], string] {
  const words: string[] = [];
  let rest = line.trim();
  for (let i = 0; i < n && rest !== ""; i++) {
    const match = /^(\S+)\s*/.exec(rest)!;
    words.push(match[1]);
    rest = rest.slice(match[0].length);
  }
  return [words, rest];
}

/**
 * Splits `line` into words as a POSIX shell would, without expansions: whitespace separates,
 * '…' quotes literally, "…" quotes with \ escaping " and \, and a bare \ escapes any character.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw acp.RequestError.invalidParams({ line }, "unterminated '");
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= "";
      for (i++; line[i] !== '"'; i++) {
        if (i >= line.length) throw acp.RequestError.invalidParams({ line }, 'unterminated "');
        if (line[i] === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) i++;
        word += line[i];
      }
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

export type TerminalCommand = { command: string; args: string[]; env: acp.EnvVariable[] };

/** `[K=V…] CMD [ARG…]`: leading K=V words become the terminal's env, as in a shell. */
export function terminalCommand(rest: string): TerminalCommand {
  const words = shellWords(rest);
  const env: acp.EnvVariable[] = [];
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) {
    const word = words.shift()!;
    const eq = word.indexOf("=");
    env.push({ name: word.slice(0, eq), value: word.slice(eq + 1) });
  }
  const [command, ...args] = words;
  if (command === undefined) throw acp.RequestError.invalidParams({ rest }, "CMD is required");
  return { command, args, env };
}

/** `text` with its newlines written as \\n. */
export function oneLine(text: string): string {
  return text.replaceAll("\n", "\\n");
}

/** `word` as an integer, or a -32602 naming `what`. */
export function integer(word: string | undefined, what: string): number {
  const value = Number(word);
  if (word === undefined || !Number.isInteger(value)) {
    throw acp.RequestError.invalidParams({ word }, `${what} must be an integer`);
  }
  return value;
}
