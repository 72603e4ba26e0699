import assert from "node:assert/strict";
import { originalStoreNotice } from "./original_store.ts";

Deno.test("originalStoreNotice: only when <root>/mass.db is a file", async () => {
  const root = await Deno.makeTempDir({ prefix: "mos" });
  try {
    assert.equal(await originalStoreNotice(root), undefined);
    await Deno.writeFile(`${root}/mass.db`, new Uint8Array(16));
    const notice = await originalStoreNotice(root);
    assert.match(notice!, new RegExp(`${root}/mass\\.db`));
    assert.match(notice!, /massctl agent apply -f NAME\.yaml$/);
    assert.doesNotMatch(notice!, /\n/, "one line");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
