/** `rasd media sweep`: the retention policy applied by hand, `--dry-run` counting only; `rasd migrate` on a current database. */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isRasdError } from "../../src/core/errors.js";
import { openStores } from "../../src/storage/open.js";
import { REPO_ROOT } from "../support/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-media-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, "data");

function rasd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", data], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, RASD_MEDIA_RETENTION_DAYS: "30" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("rasd media sweep", () => {
  let id = 0;

  before(async () => {
    const s = await openStores(`sqlite:${join(data, "rasd.db")}`);
    try {
      const org = await s.signals.createOrg("Platform A", "platform");
      const [r] = await s.content.accept([
        {
          orgId: org.id,
          personId: 1,
          idempotencyKey: "k",
          requestHash: "h",
          kind: "image",
          contentId: "c",
          authorId: "a",
          postedAt: null,
          mediaType: "image/png",
          media: new Uint8Array(1234).fill(7),
          url: null,
          text: null,
          receivedAt: Date.now(),
        },
      ]);
      if (!r || isRasdError(r)) throw r;
      id = r.id;
      // Processed 40 days ago: past RASD_MEDIA_RETENTION_DAYS=30.
      const { KyselyStore } = await import("../../src/storage/kysely-store.js");
      assert.ok(s.signals instanceof KyselyStore);
      await s.signals.db
        .updateTable("content_items")
        .set({ status: "done", hashed_at: Date.now() - 40 * 86_400_000 })
        .where("id", "=", id)
        .execute();
    } finally {
      await s.close();
    }
  });

  it("--dry-run counts and changes nothing; a sweep expires the item and says so", async () => {
    const dry = rasd(["media", "sweep", "--dry-run"]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /kept 30 day\(s\) after processing\), dry run: nothing changed/);
    assert.match(dry.stdout, /would expire: 1 item\(s\), 1234 bytes, 1 stored object\(s\)/);
    assert.equal(rasd(["media", "sweep", "--retention-days", "60"]).stdout.match(/expired: (\d+) item/)?.[1], "0");
    const s = await openStores(`sqlite:${join(data, "rasd.db")}`);
    const key = (await s.content.getItem(id))!.mediaKey!;
    assert.ok(await s.content.getMedia(id), "still there after the dry run and a 60-day policy");
    await s.close();

    const run = rasd(["media", "sweep"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^expired: 1 item\(s\), 1234 bytes, 1 stored object\(s\)$/m);
    // Stored moments ago: a sweep leaves bytes written in the last 10 minutes (a submission may be committing).
    assert.match(run.stdout, /^deleted: 0 stored object\(s\)/m);
    const after = await openStores(`sqlite:${join(data, "rasd.db")}`);
    try {
      assert.ok((await after.content.getItem(id))!.mediaExpiredAt);
      assert.equal(await after.content.getMedia(id), undefined);
      assert.ok(existsSync(join(data, "media", key.slice(0, 2), key.slice(2, 4), key)));
    } finally {
      await after.close();
    }
    const bad = rasd(["media", "sweep", "--retention-days", "-1"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--retention-days: expected an integer 0\.\.36500/);
  });

  it("rasd migrate on a current database applies nothing and moves nothing", () => {
    const r = rasd(["migrate"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /already at the latest schema/);
    assert.doesNotMatch(r.stdout, /moved the media/);
  });
});
