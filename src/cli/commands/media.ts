/**
 * `rasd media sweep`: applies the media retention policy now (what every worker does every
 * RASD_MEDIA_SWEEP_MINUTES): expired items' media is deleted from the media store and the
 * items record when; `--dry-run` counts what would go and changes nothing. `--retention-days`
 * overrides RASD_MEDIA_RETENTION_DAYS for this run.
 */

import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { sweepMedia } from "../../services/media-retention.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

function days(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 36_500)
    throw new RasdError("usage", `--retention-days: expected an integer 0..36500, got "${text}"`);
  return n;
}

export function mediaCommand(): Command {
  const media = new Command("media").description("submitted media's bytes, kept in the media store (RASD_MEDIA_DIR)");
  withStoreOptions(
    media
      .command("sweep")
      .description(
        "delete media kept longer than the retention policy allows (open reviews and cases hold it); print the counts",
      )
      .option("--dry-run", "count what would be deleted; change nothing")
      .option(
        "--retention-days <n>",
        "days after processing (default RASD_MEDIA_RETENTION_DAYS, 90; 0: keep for ever)",
      ),
  ).action(async (options: StoreOptions & { dryRun?: boolean; retentionDays?: string }) => {
    const retention = options.retentionDays === undefined ? undefined : days(options.retentionDays);
    await withContext(options, async (ctx) => {
      const retentionDays = retention ?? ctx.config.mediaRetentionDays;
      const r = await sweepMedia(
        { content: ctx.stores.content, media: ctx.stores.media },
        { retentionDays, dryRun: options.dryRun ?? false },
      );
      const policy = retentionDays === 0 ? "kept for ever" : `kept ${retentionDays} day(s) after processing`;
      const verb = r.dryRun ? "would expire" : "expired";
      process.stdout.write(
        `media store ${ctx.stores.media.location} (${policy})${r.dryRun ? ", dry run: nothing changed" : ""}\n` +
          `${verb}: ${r.expiredItems} item(s), ${r.expiredBytes} bytes, ${r.expiredKeys} stored object(s)\n` +
          (r.dryRun ? "" : `deleted: ${r.deletedObjects} stored object(s) (others are shared with kept items)\n`) +
          `${r.dryRun ? "would delete" : "deleted"}: ${r.orphansDeleted} object(s) no item names, older than a day\n`,
      );
    });
  });
  return media;
}
