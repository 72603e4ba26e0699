/** What the agent asks the client (the agent-run) to do that the run's policy gates. */
export type ClientOp =
  | { method: "fs/write_text_file"; path: string }
  | { method: "terminal/create"; command: string; args?: string[] | null };
