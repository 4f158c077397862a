/**
 * `rasd review`: the review queue's claims from the command line — list an organisation's
 * queue, claim an entry for a person (the 10-minute lease the web app takes when an entry is
 * opened, counted against the organisation's daily limit) and release it (decision 0021,
 * 0028). The same service as POST/DELETE /v1/reviews/:id/claim.
 */

import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { AccessService, type Principal } from "../../services/access.js";
import { ReviewService, maySeeEscalated } from "../../services/reviews.js";
import { reviewAccounts } from "../../services/review-accounts.js";
import { QUEUE_LANGUAGES, queueFilter, reviewCursor } from "../../services/review-queue.js";
import { CONTENT_KINDS } from "../../storage/ports/content.js";
import { REVIEW_REASONS } from "../../storage/ports/reviews.js";
import { WellnessService } from "../../services/wellness.js";
import { withContext, withStoreOptions, type Context, type StoreOptions } from "../context.js";

interface WhoOptions extends StoreOptions {
  org: string;
  person: string;
}

/** The person named, as the principal the review service checks (their organisation and role). */
async function principal(ctx: Context, org: string, person: string): Promise<Principal> {
  const p = await ctx.stores.accounts.findPerson(org, person);
  if (!p) throw new RasdError("usage", `--person: no person named "${person}" in "${org}"`);
  if (!["admin", "reviewer"].includes(p.role))
    throw new RasdError(
      "usage",
      `--person: ${person} is a ${p.role}; only a reviewer or an admin claims review entries`,
    );
  return { orgId: p.orgId, personId: p.id, role: p.role, keyId: 0, personName: p.name, orgName: org };
}

function reviewService(ctx: Context): ReviewService {
  return new ReviewService({
    content: ctx.stores.content,
    reviews: ctx.stores.reviews,
    banks: ctx.banks,
    access: new AccessService(ctx.stores.access, ctx.store),
    wellness: new WellnessService(ctx.stores.wellness),
  });
}

function entryId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) throw new RasdError("usage", `review entry id: "${value}" is not a number`);
  return id;
}

interface ListOptions extends StoreOptions {
  org: string;
  status: string;
  person?: string;
  limit: string;
  kind?: string;
  bank?: string;
  platform?: string;
  language?: string;
  reason?: string;
  before?: string;
}

/** A filter's problem as a usage error, its message naming the option (--kind: …). */
async function usage<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof RasdError && e.code === "invalid")
      throw new RasdError("usage", e.message.startsWith("--") ? e.message : `--${e.message}`);
    throw e;
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function reviewCommand(): Command {
  const review = new Command("review").description(
    "the review queue: list an organisation's entries, claim one for a person (a 10-minute lease) and release it",
  );
  review.addCommand(
    withStoreOptions(
      new Command("list")
        .description(
          "an organisation's queue as JSON lines: open (default, highest priority first), escalated or decided; with --person, as that person is offered it (others' live claims left out); the filters combine, and the count on stderr counts with them",
        )
        .requiredOption("--org <name>", "the organisation")
        .option("--status <status>", "open, escalated or decided", "open")
        .option("--person <name>", "list as this person sees the queue (and only the banks they may see)")
        .option("--kind <kind>", `the item's kind: ${CONTENT_KINDS.join(", ")}`)
        .option("--bank <id>", "entries whose item matched a signal of this bank")
        .option("--platform <name>", "the item's platform, as submitted")
        .option("--language <code>", `the language found in the item's text: ${QUEUE_LANGUAGES.join(", ")} (und: none)`)
        .option(
          "--reason <reason>",
          `why the entry is queued: ${REVIEW_REASONS.join(", ")} (account: ban evasion; link: a match behind the item's links)`,
        )
        .option("--before <cursor>", "the next page: the cursor the previous page printed on stderr")
        .option("--limit <n>", "at most this many", "50")
        .addHelpText(
          "after",
          '\nExamples:\n  rasd review list --org "Example Platform" --person demo-reviewer --limit 10\n' +
            '  rasd review list --org "Example Platform" --kind image --bank 3 --reason match\n' +
            '  rasd review list --org "Example Platform" --language ar --reason stance --before 0.93:17\n',
        ),
    ).action(async (o: ListOptions) => {
      if (!["open", "escalated", "decided"].includes(o.status))
        throw new RasdError("usage", `--status: open, escalated or decided, not "${o.status}"`);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new RasdError("usage", "--limit: 1 to 500");
      await withContext(o, async (ctx) => {
        const org = (await ctx.store.listOrgs()).find((x) => x.name === o.org);
        if (!org) throw new RasdError("usage", `--org: no organisation named "${o.org}"`);
        const who = o.person ? await principal(ctx, o.org, o.person) : undefined;
        if (who && o.status === "escalated" && !maySeeEscalated(who.role))
          throw new RasdError("usage", "--status escalated: the second-level queue is an admin's (senior reviewer's)");
        const access = new AccessService(ctx.stores.access, ctx.store);
        // Without --person the operator's view: any bank (its entries still only the organisation's).
        const banks = async () =>
          who ? access.visibleBankIds(who) : new Set((await ctx.store.listBanks()).map((b) => b.id));
        const filter = await usage(() =>
          queueFilter(
            {
              ...(o.kind !== undefined ? { kind: o.kind } : {}),
              ...(o.bank !== undefined ? { bank: o.bank } : {}),
              ...(o.platform !== undefined ? { platform: o.platform } : {}),
              ...(o.language !== undefined ? { language: o.language } : {}),
              ...(o.reason !== undefined ? { reason: o.reason } : {}),
              ...(o.before !== undefined ? { before: o.before } : {}),
            },
            o.status,
            banks,
            { bank: "--bank", before: "--before" },
          ),
        );
        const viewer = who && o.status !== "decided" ? { personId: who.personId, now: Date.now() } : undefined;
        const [page, total] = await Promise.all([
          ctx.stores.reviews.listReviews(org.id, o.status, limit + 1, viewer, filter),
          ctx.stores.reviews.countReviews(org.id, o.status, viewer, { ...filter, after: undefined }),
        ]);
        const rows = page.slice(0, limit);
        const bankIds = await ctx.stores.reviews.reviewBanks(rows.map((r) => r.id));
        const visible = await banks();
        const now = Date.now();
        for (const r of rows) {
          const live = r.claimedUntil !== null && r.claimedUntil >= now;
          process.stdout.write(
            `${JSON.stringify({
              id: r.id,
              item_id: r.itemId,
              status: r.status,
              priority: r.priority,
              reason: r.reason ?? "match",
              bank_ids: (bankIds.get(r.id) ?? []).filter((b) => visible.has(b)),
              decision: r.decision,
              claimed_by: live ? r.claimedBy : null,
              claimed_until: live ? iso(r.claimedUntil) : null,
              created_at: iso(r.createdAt),
              decided_at: iso(r.decidedAt),
            })}\n`,
          );
        }
        const last = rows[rows.length - 1];
        const next = page.length > limit && last ? `; next page: --before ${reviewCursor(last, o.status)}` : "";
        process.stderr.write(`review: ${rows.length} of ${total} ${o.status} entries${next}\n`);
      });
    }),
  );
  review.addCommand(
    withStoreOptions(
      new Command("claim")
        .description(
          "claim a review entry for a person for 10 minutes (again: renews it); refused when another person holds it, it was decided, or the person reached the organisation's daily limit",
        )
        .argument("<id>", "the review entry")
        .requiredOption("--org <name>", "the person's organisation")
        .requiredOption("--person <name>", "the reviewer (or admin) claiming it")
        .addHelpText("after", '\nExample:\n  rasd review claim 12 --org "Example Platform" --person demo-reviewer\n'),
    ).action(async (id: string, o: WhoOptions) => {
      const reviewId = entryId(id);
      await withContext(o, async (ctx) => {
        const who = await principal(ctx, o.org, o.person);
        const r = await reviewService(ctx).claim(who, reviewId);
        process.stdout.write(
          `${JSON.stringify({ id: r.id, claimed_by: who.personId, claimed_until: iso(r.claimedUntil) })}\n`,
        );
      });
    }),
  );
  review.addCommand(
    withStoreOptions(
      new Command("release")
        .description("give a claimed review entry back to the queue (nothing happens when the person does not hold it)")
        .argument("<id>", "the review entry")
        .requiredOption("--org <name>", "the person's organisation")
        .requiredOption("--person <name>", "the person holding the claim")
        .addHelpText("after", '\nExample:\n  rasd review release 12 --org "Example Platform" --person demo-reviewer\n'),
    ).action(async (id: string, o: WhoOptions) => {
      const reviewId = entryId(id);
      await withContext(o, async (ctx) => {
        const who = await principal(ctx, o.org, o.person);
        await reviewService(ctx).release(who, reviewId);
        process.stderr.write(`review: entry ${reviewId} released\n`);
      });
    }),
  );
  review.addCommand(
    withStoreOptions(
      new Command("accounts")
        .description(
          "ban evasion beside a review entry, as JSON: the item's author account and the suspended accounts it matched (banks the person may see), with the evidence per feature, the score and the threshold",
        )
        .argument("<id>", "the review entry")
        .requiredOption("--org <name>", "the person's organisation")
        .requiredOption("--person <name>", "the reviewer (or admin) looking")
        .addHelpText(
          "after",
          '\nExample:\n  rasd review accounts 12 --org "Example Platform" --person demo-reviewer\n',
        ),
    ).action(async (id: string, o: WhoOptions) => {
      const reviewId = entryId(id);
      await withContext(o, async (ctx) => {
        const who = await principal(ctx, o.org, o.person);
        const access = new AccessService(ctx.stores.access, ctx.store);
        const answer = await reviewAccounts(
          {
            reviews: ctx.stores.reviews,
            content: ctx.stores.content,
            signals: ctx.store,
            visibleBanks: () => access.visibleBanks(who),
          },
          who.orgId,
          reviewId,
        );
        process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
      });
    }),
  );
  return review;
}
