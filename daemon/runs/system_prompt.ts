/**
 * Composes the system prompt agentd puts into config.session.systemPrompt (§8.3 of the
 * original, minus its unconditional seed turn).
 *
 * Choice: the identity block is sent only when there is something else to say (a user
 * systemPrompt or a workflow file). The original always sent identity, so every run paid a
 * seed turn before it became idle (§16.8); a run with nothing to say now starts without one.
 */

export interface SystemPromptInput {
  name: string;
  workspace: string;
  /** Workspace directory; "(unknown)" when not known. */
  workspacePath?: string;
  /** The workspace-mesh MCP server is injected, so the agent can message its peers. */
  mesh?: boolean;
  systemPrompt?: string;
  /** Absolute path of the workflow file as the user gave it (shown to the agent). */
  workflowFile?: string;
}

export const SECTION_SEPARATOR = "\n---\n";

/** The `<identity>` section: the agent's name, workspace and workspace path. */
export function identityBlock(name: string, workspace: string, path?: string): string {
  return `<identity>\nYou are ${name}, an agent in workspace "${workspace}". Path: ${
    path || "(unknown)"
  }\n</identity>`;
}

/** The `<workspace-mesh>` section: tells the agent to use the workspace-mesh MCP tools. */
export function meshBlock(): string {
  return "<workspace-mesh>\nYou share this workspace with other agents. Use the " +
    "workspace-mesh MCP tools (agentrun_status to see them, agentrun_send to message one) " +
    "to collaborate.\n</workspace-mesh>";
}

/** The `<workflow>` section: points the agent at its workflow file. */
export function workflowBlock(path: string): string {
  return `<workflow>\nFollow workflow instructions in file ${path}\n</workflow>`;
}

/** Returns the prompt, or undefined when the user gave neither systemPrompt nor workflow. */
export function composeSystemPrompt(input: SystemPromptInput): string | undefined {
  const user = input.systemPrompt?.trim() ? input.systemPrompt : undefined;
  if (!user && !input.workflowFile) return undefined;
  const sections = [identityBlock(input.name, input.workspace, input.workspacePath)];
  if (input.mesh) sections.push(meshBlock());
  if (user) sections.push(user);
  if (input.workflowFile) sections.push(workflowBlock(input.workflowFile));
  return sections.join(SECTION_SEPARATOR);
}
