import { assertEquals } from "../../tests/ctl/tui_assert.ts";
import { DAEMON_UNREACHABLE, failureText } from "./failure_text.ts";

Deno.test("failureText: a lost daemon reads as such, other errors as they are", () => {
  assertEquals(
    failureText(new Deno.errors.ConnectionRefused("x (os error 111)")),
    DAEMON_UNREACHABLE,
  );
  assertEquals(
    failureText(new Deno.errors.NotFound("No such file (os error 2)")),
    DAEMON_UNREACHABLE,
  );
  const closed = new Error("connection closed");
  closed.name = "PeerClosedError";
  assertEquals(failureText(closed), DAEMON_UNREACHABLE);
  assertEquals(failureText(new Error("agent w/r is busy")), "agent w/r is busy");
});
