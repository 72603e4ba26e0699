/**
 * The chat's requests to agentd (prompt, cancel, permission answer, model/mode, diff), each
 * reporting its outcome into the chat rather than throwing.
 */
import type { Dispatch } from "react";
import type { RunKey } from "../../specs/ari.ts";
import { ErrorCode, errorCode } from "../../specs/errors.ts";
import { failureText } from "./failure_text.ts";
import { approveOption, type PermissionChoice } from "../client/permission_choice.ts";
import type { ChatAction, PermissionPrompt } from "./chat_state.ts";
import type { ChatClient } from "./chat_client.ts";

export interface ChatRequestDeps {
  client: ChatClient;
  key: RunKey;
  dispatch: Dispatch<ChatAction>;
  /** A transient message on the status line. */
  setInfo: (text: string) => void;
}

export interface ChatRequests {
  cancelTurn(): Promise<void>;
  /** Resolves false when the prompt was not sent (busy, stopped, daemon down). */
  sendPrompt(text: string): Promise<boolean>;
  /** y/a/n on the permission dialog; its permission_resolved event then removes it. */
  answerPermission(p: PermissionPrompt, choice: PermissionChoice | undefined): Promise<void>;
  setOption(what: "model" | "mode", id: string): Promise<void>;
  /** /diff: the run's worktree changes as a notice. */
  showDiff(stat: boolean): Promise<void>;
}

/** The requests of one chat. */
export function chatRequests({ client, key, dispatch, setInfo }: ChatRequestDeps): ChatRequests {
  const error = (text: string) => dispatch({ type: "notice", level: "error", text });
  return {
    async cancelTurn() {
      try {
        await client.agentrunCancel(key);
        setInfo("cancel requested");
      } catch (err) {
        error(`cancel failed: ${failureText(err)}`);
      }
    },
    async sendPrompt(text) {
      dispatch({ type: "prompt_sent", text });
      try {
        await client.agentrunPrompt({ ...key, prompt: [{ type: "text", text }] });
        return true;
      } catch (err) {
        const busy = errorCode(err) === ErrorCode.Conflict;
        dispatch({
          type: "prompt_failed",
          text,
          message: busy ? `not sent: ${failureText(err)}` : `prompt failed: ${failureText(err)}`,
        });
        return false;
      }
    },
    async answerPermission(p, choice) {
      if (!choice) {
        error(`permission ${p.title}: no allow option offered; deny with n`);
        return;
      }
      // Hidden at once, so a second key press cannot answer it twice.
      dispatch({ type: "permission_dismiss", requestId: p.requestId });
      try {
        await client.agentrunRespondPermission({ ...key, requestId: p.requestId, ...choice });
      } catch (err) {
        error(`permission answer failed: ${failureText(err)}`);
        // -32602: no longer pending (answered elsewhere, timed out); otherwise ask again.
        if (errorCode(err) !== ErrorCode.InvalidParams) dispatch({ type: "permission_restore" });
      }
    },
    async setOption(what, id) {
      try {
        if (what === "model") await client.agentrunSetModel({ ...key, modelId: id });
        else await client.agentrunSetMode({ ...key, modeId: id });
        setInfo(`${what} set to ${id}`);
      } catch (err) {
        error(`/${what} failed: ${failureText(err)}`);
      }
    },
    async showDiff(stat) {
      try {
        if (!client.agentrunDiff) throw new Error("not offered by this connection");
        const res = await client.agentrunDiff({ ...key, ...(stat ? { stat: true } : {}) });
        const text = res.diff.trimEnd() ||
          `no changes on ${res.branch} since ${res.base.slice(0, 7)}`;
        dispatch({ type: "notice", level: "info", text });
      } catch (err) {
        error(`/diff failed: ${failureText(err)}`);
      }
    },
  };
}

/** The option y (allow) or a (allow always) picks. */
export function allowChoice(p: PermissionPrompt, always: boolean): PermissionChoice | undefined {
  const option = approveOption(p, always);
  return option ? { optionId: option.optionId } : undefined;
}
