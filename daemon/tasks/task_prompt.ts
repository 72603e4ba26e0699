/**
 * The prompt that hands a task to an agent (one text block, as in the original): where the
 * task file is, how to read it, and the command that records the outcome.
 */
import type { ContentBlock } from "../../specs/events.ts";

/** Quotes `s` for a POSIX shell command line. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The command the agent runs when it has finished (placeholders for reason and response). */
export function doneCommand(taskFile: string): string {
  return `massctl agentrun task done --task-file ${shellQuote(taskFile)} ` +
    `--reason <reason> --response '<json>'`;
}

const HOW_TO_FINISH = [
  "<reason> is one word for the outcome, such as success, failed or needs_human;",
  "<json> is a JSON object with your result (for example",
  '{"summary": "what was done", "files": ["paths you produced"]}).',
];

/** The first attempt (task/do). */
export function taskPrompt(taskFile: string, attempt: number): ContentBlock[] {
  const text = [
    `Task attempt ${attempt} at: ${taskFile}`,
    "",
    "Open that JSON file. Its `request` field is your task: `request.prompt` says what to do,",
    "`request.inputFiles` (if any) lists files to work from, and `request.outputDir` is the",
    "directory for anything you produce. Treat the request fields as your instructions.",
    "",
    "When you have finished, record the outcome by running this command:",
    "",
    `  ${doneCommand(taskFile)}`,
    "",
    ...HOW_TO_FINISH,
  ].join("\n");
  return [{ type: "text", text }];
}

/** A later attempt (task/retry): finish it if it is complete, otherwise keep working. */
export function retryPrompt(taskFile: string, attempt: number): ContentBlock[] {
  const text = [
    `Task attempt ${attempt} at: ${taskFile}`,
    "",
    "You were given this task before and it is not marked as done yet. Open the JSON file",
    "and check whether its `request` has been completed.",
    "",
    "If it has, record the outcome now by running:",
    "",
    `  ${doneCommand(taskFile)}`,
    "",
    ...HOW_TO_FINISH,
    "",
    "If it has not, continue working on the request and run that command when you finish.",
  ].join("\n");
  return [{ type: "text", text }];
}
