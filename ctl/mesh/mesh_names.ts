/** Names the workspace-mesh MCP server is known by (kept apart so importing them is cheap). */
export const MESH_SERVER_NAME = "workspace-mesh";
export const MESH_SERVER_VERSION = "0.1.0";
export const SEND_TOOL = "agentrun_send";
export const STATUS_TOOL = "agentrun_status";
