/**
 * `rasd match ...`: match a PDQ hash or image, a URL, or a text against every bank.
 * Prints one line per match (or JSON); exit status 0 when something matched, 1 when
 * nothing did (like grep), 2 on usage errors.
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { Command, Option } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import type { Signal } from "../../core/model.js";
import { DIHEDRAL_NAMES } from "../../kernels/pdq/dihedral.js";
import { isHash256Hex } from "../../kernels/pdq/hash256.js";
import { PDQ_FLAVOURS, type PdqFlavour } from "../../kernels/pdq/pdq.js";
import type { Match, MatchResult, PdqQuery } from "../../services/matcher.js";
import { pdqHashImageFile } from "../../signals/pdq/hash-image.js";
import { matchScoreText } from "../../signals/registry.js";
import { canonicalVpdq, vpdqFrames } from "../../signals/values.js";
import { vpdqHashVideoFile } from "../../signals/vpdq/hash-video.js";
import { withContext, withStoreOptions, type Context, type StoreOptions } from "../context.js";

interface MatchOptions extends StoreOptions {
  json?: boolean;
}

async function report(
  ctx: Context,
  result: MatchResult,
  options: MatchOptions,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const signals = new Map<number, Signal>(
    (await ctx.store.getSignals(result.matches.map((m) => m.signalId))).map((s) => [s.id, s]),
  );
  const banks = new Map((await ctx.store.listBanks()).map((b) => [b.id, b]));
  const orgs = new Map((await ctx.store.listOrgs()).map((o) => [o.id, o.name]));
  const bankName = (id: number): string => {
    const b = banks.get(id);
    return b ? `${orgs.get(b.orgId) ?? "?"}/${b.name}` : String(id);
  };
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({
        ...extra,
        matches: result.matches.map((m) => ({ ...m, bank: bankName(m.bankId), signal: signals.get(m.signalId) })),
        suppressedBy: result.suppressedBy.map(bankName),
      })}\n`,
    );
  } else {
    for (const m of result.matches)
      process.stdout.write(`${formatMatch(m, bankName(m.bankId), signals.get(m.signalId))}\n`);
    if (result.matches.length === 0) process.stderr.write("no matches\n");
    if (result.suppressedBy.length > 0)
      process.stderr.write(`suppressed by negative bank(s): ${result.suppressedBy.map(bankName).join(", ")}\n`);
  }
  process.exitCode = result.matches.some((m) => !m.suppressed && !banks.get(m.bankId)?.negative) ? 0 : 1;
}

function formatMatch(m: Match, bank: string, s: Signal | undefined): string {
  const labels = s
    ? [...s.labels.entity, ...s.labels.behaviour, ...s.labels.language.map((l) => `lang:${l}`)].join(",")
    : "";
  return [
    `bank=${bank}`,
    `signal=${m.signalId}`,
    `type=${m.type}`,
    matchScoreText(m),
    `labels=${labels || "-"}`,
    ...(m.suppressed ? ["suppressed"] : []),
  ].join(" ");
}

export function matchCommand(): Command {
  const match = new Command("match").description("match content against the banks");

  withStoreOptions(
    match
      .command("pdq")
      .description("match a PDQ hash (64 hex digits) or an image file")
      .argument("<hash-or-file>", "a PDQ hash, or an image to hash")
      .option("--quality <n>", "quality of a given hash (default 100)", (v) => Number(v))
      .option("--dihedral", "for an image: also match its 8 rotations and flips")
      .addOption(
        new Option("--flavour <flavour>", "PDQ flavour for an image").choices(PDQ_FLAVOURS as string[]).default("full"),
      )
      .option("--json", "JSON output"),
  ).action(
    async (input: string, options: MatchOptions & { quality?: number; dihedral?: boolean; flavour: PdqFlavour }) => {
      let queries: PdqQuery[];
      if (isHash256Hex(input) && !existsSync(input)) {
        if (options.dihedral) throw new RasdError("usage", "--dihedral needs an image: a hash alone cannot be rotated");
        queries = [{ hash: input.toLowerCase(), quality: options.quality ?? 100 }];
      } else {
        const hashed = await pdqHashImageFile(input, { flavour: options.flavour, dihedral: options.dihedral === true });
        queries = hashed.dihedral
          ? DIHEDRAL_NAMES.map((name) => ({ hash: hashed.dihedral![name], quality: hashed.quality, transform: name }))
          : [{ hash: hashed.hash, quality: hashed.quality }];
      }
      await withContext(options, async (ctx) => {
        const result = (await ctx.matcher()).matchPdq(queries);
        await report(ctx, result, options, { query: queries[0] });
      });
    },
  );

  withStoreOptions(
    match
      .command("vpdq")
      .description(
        "match a video (hashed at one frame a second, and its MD5) against vPDQ, video MD5 and image signals;\n" +
          "a .txt or .json file is read as vPDQ hashes (the reference's lines, or a JSON array of hash,quality,timestamp)",
      )
      .argument("<file>", "a video, or its vPDQ hashes")
      .option(
        "--query-match <percent>",
        "share of the query's frames that must match (default 80)",
        (v) => Number(v),
        80,
      )
      .option("--json", "JSON output"),
  ).action(async (file: string, options: MatchOptions & { queryMatch: number }) => {
    let frames: { hash: string; quality: number }[];
    let md5: string | undefined;
    if (/\.(txt|json)$/i.test(file)) {
      frames = vpdqFrames(canonicalVpdq(readFileSync(file, "utf8").trim()));
    } else {
      frames = (await vpdqHashVideoFile(file)).frames;
      md5 = createHash("md5").update(readFileSync(file)).digest("hex");
    }
    await withContext(options, async (ctx) => {
      const matcher = await ctx.matcher();
      const result = matcher.matchVpdq(frames, undefined, options.queryMatch);
      const byMd5 = md5 ? matcher.matchExact("video_md5", md5).matches : [];
      const combined = { matches: [...byMd5, ...result.matches], suppressedBy: result.suppressedBy };
      await report(ctx, combined, options, { frames: frames.length, ...(md5 ? { md5 } : {}) });
    });
  });

  withStoreOptions(
    match
      .command("url")
      .description("match a URL (defanged forms welcome) against URL and domain signals")
      .argument("<url>", "the URL")
      .option("--json", "JSON output"),
  ).action(async (url: string, options: MatchOptions) => {
    await withContext(options, async (ctx) => {
      const result = (await ctx.matcher()).matchUrl(url);
      if (!options.json)
        process.stderr.write(
          `canonical: ${result.canonical}${result.isShortener ? " (a URL shortener: expand it to match its target)" : ""}\n`,
        );
      await report(ctx, result, options, { canonical: result.canonical, isShortener: result.isShortener });
    });
  });

  withStoreOptions(
    match
      .command("text")
      .description(
        "match a text against text signals (near-duplicates), and the URLs in it against URL and domain signals",
      )
      .argument("<text>", "the text, or - to read standard input")
      .option("--json", "JSON output"),
  ).action(async (text: string, options: MatchOptions) => {
    const body = text === "-" ? await readStdin() : text;
    await withContext(options, async (ctx) => {
      const result = (await ctx.matcher()).matchText(body);
      await report(ctx, result, options, { urls: result.urls });
    });
  });
  return match;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
