/**
 * npm run bench -- accounts      (or: node --import tsx bench/accounts.ts)
 *
 * Ban-evasion matching (docs/accounts.md):
 * - quality: the 112 accounts of ../shared/testdata/text/fifthtribe-how-isis-uses-twitter are
 *   banked as suspended; returning variants built by the documented evasion rules and hard
 *   negatives (unrelated accounts with similar names, generated) are matched against them;
 *   precision and recall per evasion kind and false positives per negative kind, at the default
 *   threshold (and two others).
 * - speed: the same queries against 1,000,000 synthetic suspended accounts plus the 112;
 *   p50/p99 wall time per query and CPU time per query.
 * Every figure carries the one-minute load average. Seeded: the same data every run.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  ACCOUNT_FEATURES,
  ACCOUNT_MODEL,
  UNLEARNED_FEATURES,
  AccountIndex,
  accountFeatures,
  handleForm,
  leetKey,
  lookalikeKey,
  prepareAccount,
  scoreAccount,
  strippedKey,
  type AccountRecord,
} from "../src/kernels/accounts/index.js";
import { DEFAULT_ACCOUNT_MIN_SCORE } from "../src/signals/types/account.js";
import { mulberry32 } from "../src/kernels/random.js";
import { parseRecords } from "../test/support/csv.js";
import { TESTDATA } from "../test/support/shared.js";
import { emit, load1, note } from "./_util.js";

const FILE = join(TESTDATA, "text", "fifthtribe-how-isis-uses-twitter", "tweets.csv");
const random = mulberry32(0x72617364);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

function randomPdq(): string {
  let s = "";
  for (let i = 0; i < 64; i++) s += "0123456789abcdef"[Math.floor(random() * 16)];
  return s;
}

/** Flips `bits` distinct random bits of a PDQ hash. */
function flipBits(hex: string, bits: number): string {
  const nibbles = hex.split("").map((c) => parseInt(c, 16));
  const flipped = new Set<number>();
  while (flipped.size < bits) flipped.add(Math.floor(random() * 256));
  for (const b of flipped) nibbles[b >> 2]! ^= 1 << (b & 3);
  return nibbles.map((n) => n.toString(16)).join("");
}

/** The banked accounts: one per username, with the mentions its tweets make most often. */
function loadAccounts(): AccountRecord[] {
  const rows = parseRecords(readFileSync(FILE, "utf8"));
  const by = new Map<string, { name: string; bio: string; mentions: Map<string, number> }>();
  for (const r of rows) {
    const u = r.username!;
    let a = by.get(u);
    if (!a) by.set(u, (a = { name: r.name!, bio: r.description!, mentions: new Map() }));
    for (const m of r.tweets!.matchAll(/@([A-Za-z0-9_]{2,15})/g)) {
      const h = m[1]!.toLowerCase();
      if (h !== u.toLowerCase()) a.mentions.set(h, (a.mentions.get(h) ?? 0) + 1);
    }
  }
  let n = 0;
  return [...by].map(([handle, a]) => ({
    platform: "twitter",
    id: String(1000 + n++),
    handle,
    name: a.name,
    ...(a.bio ? { bio: a.bio } : {}),
    avatarPdq: randomPdq(),
    mentions: [...a.mentions]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 5)
      .map(([h]) => h)
      .sort(),
    suspended: "2016-05-01",
  }));
}

/**
 * The dataset holds one person's several accounts (returns that were suspended again): these
 * groups, checked by hand (same display name, bio or numbered handle), count as one identity,
 * so a variant of one that matches another is right. Listed in docs/accounts.md.
 */
const SAME_PERSON: readonly (readonly string[])[] = [
  ["WarReporter1", "warreporter2"],
  ["MaghrebiQM", "MaghrebiWM", "MaghrebiHD", "MaghrebiQ"],
  ["Fidaee_Fulaani", "FidaeeFulaani"],
  ["mustaklash", "moustiklash", "klakishinki", "kIakishini5", "`".repeat(298)],
  ["Dieinurage308", "dieinurage29__7"],
  ["abuayisha102", "abuayisha108"],
  ["Freedom_speech2", "freelance_112"],
  ["wayyf44rer", "wayf44rerr", "wayff44rer"],
  ["abutariq040", "abutariq041"],
  ["squadsquaaaaad", "Suspend_Me_fags"],
  ["Mosul_05", "emran_getu"],
  ["___KU217_y", "ALK___226"],
];

// ---- evasion rules (docs/accounts.md "Evasion rules") ----

const CYRILLIC: Readonly<Record<string, string>> = { a: "а", e: "е", o: "о", p: "р", c: "с", x: "х", i: "і" };
const DIGIT_FOR: Readonly<Record<string, string>> = { o: "0", i: "1", e: "3", a: "4", s: "5", t: "7" };
const LATIN_ARABIC: readonly (readonly [string, string])[] = [
  ["sh", "ش"],
  ["th", "ث"],
  ["kh", "خ"],
  ["gh", "غ"],
  ["dh", "ذ"],
  ["b", "ب"],
  ["t", "ت"],
  ["j", "ج"],
  ["h", "ه"],
  ["d", "د"],
  ["r", "ر"],
  ["z", "ز"],
  ["s", "س"],
  ["f", "ف"],
  ["q", "ق"],
  ["k", "ك"],
  ["c", "ك"],
  ["l", "ل"],
  ["m", "م"],
  ["n", "ن"],
  ["w", "و"],
  ["y", "ي"],
  ["g", "غ"],
  ["p", "ب"],
  ["v", "ف"],
  ["x", "كس"],
  ["a", "ا"],
  ["o", "و"],
  ["u", "و"],
  ["i", "ي"],
  ["e", ""],
];

function toArabic(name: string): string {
  let s = name.toLowerCase().replace(/[^a-z ]/g, "");
  let out = "";
  while (s.length > 0) {
    const hit = LATIN_ARABIC.find(([l]) => s.startsWith(l));
    if (hit) {
      out += hit[1];
      s = s.slice(hit[0].length);
    } else {
      out += s[0] === " " ? " " : "";
      s = s.slice(1);
    }
  }
  return out.trim();
}

/** A fresh, unrelated handle, name and bio for the channels a variant does not keep. */
const SYLLABLES = (
  "ka ri mo ta sel dan vi lo ne gar fu pe zan tor mil bek sun ha jo lu mer tin pol ras dor fen gil hu " +
  "ix or ben cal dru ev fin gor hal ist jen kol lam mun nor ost par quin rol sam tul ur vel wen yor zed"
).split(" ");
/** Bio words: common ones, then made-up ones (a million people do not share 16 words). */
const WORDS = [
  ..."love life music football coffee travel photos family news books art city sky dream work study".split(" "),
  ...Array.from(
    { length: 2000 },
    (_, i) =>
      SYLLABLES[i % SYLLABLES.length]! +
      SYLLABLES[Math.floor(i / SYLLABLES.length) % SYLLABLES.length]! +
      (i % 7 === 0 ? "s" : ""),
  ),
];
function freshHandle(): string {
  let h = "";
  for (let i = 0, n = 2 + Math.floor(random() * 3); i < n; i++) h += pick(SYLLABLES);
  return h + (random() < 0.5 ? String(Math.floor(random() * 100)) : "");
}
const freshName = (): string => `${pick(SYLLABLES)}${pick(SYLLABLES)} ${pick(SYLLABLES)}${pick(SYLLABLES)}`;
const freshBio = (): string => Array.from({ length: 5 + Math.floor(random() * 8) }, () => pick(WORDS)).join(" ");

/** A near-duplicate of a bio: one word dropped and one added. */
function editBio(bio: string): string {
  const words = bio.split(/\s+/);
  if (words.length > 3) words.splice(Math.floor(random() * words.length), 1);
  words.splice(Math.floor(random() * words.length), 0, pick(["new", "back", "again", "official", "#ISIS"]));
  return words.join(" ");
}

function swapAdjacent(h: string): string {
  const letters = [...h]
    .map((c, i) => (/[a-z]/i.test(c) && /[a-z]/i.test(h[i + 1] ?? "") ? i : -1))
    .filter((i) => i >= 0);
  const i = pick(letters);
  return h.slice(0, i) + h[i + 1] + h[i] + h.slice(i + 2);
}

type Kind = "digits" | "look-alike" | "typo+name" | "transliteration+bio" | "bio" | "avatar+network";

/**
 * The skeletons of the queries' fresh handles. A fresh channel must carry no evidence, but the
 * synthetic accounts' handles come from the same 56 syllables (3,136 two-syllable skeletons): left
 * alone, about one fresh handle in 25 would equal a distractor's whole skeleton ("milnorcal" /
 * "milnorcal73"), which is no resemblance of a real handle's odds. So synthetic accounts are drawn
 * again while their skeleton is one of these (decision 0033); the hard negatives, built to
 * resemble, are untouched.
 */
const freshSkeletons = new Set<string>();
const skeletonsOf = (handle: string): string[] => {
  const form = handleForm(handle);
  return [strippedKey(form), leetKey(form), lookalikeKey(form)];
};

/** Fresh channels: the variant keeps only what its kind says. */
function fresh(base: AccountRecord): AccountRecord {
  const handle = freshHandle();
  for (const k of skeletonsOf(handle)) freshSkeletons.add(k);
  return {
    platform: base.platform,
    id: String(9_000_000 + Math.floor(random() * 1e6)),
    handle,
    name: freshName(),
    bio: freshBio(),
    avatarPdq: randomPdq(),
  };
}

function variant(base: AccountRecord, kind: Kind): AccountRecord | undefined {
  const f = fresh(base);
  const h = base.handle;
  switch (kind) {
    case "digits": {
      const core = h.replace(/[0-9_]+$/, "");
      const forms = [
        `${core}_2`,
        `${core}2`,
        `_${core}`,
        `${core}_`,
        `${core}${10 + Math.floor(random() * 90)}`,
        `${core}__`,
      ];
      return { ...f, handle: pick(forms.filter((x) => x.toLowerCase() !== h.toLowerCase())) };
    }
    case "look-alike": {
      const letters = [...h]
        .map((c, i) => (DIGIT_FOR[c.toLowerCase()] || CYRILLIC[c.toLowerCase()] ? i : -1))
        .filter((i) => i > 0);
      if (letters.length === 0) return undefined;
      const chars = [...h];
      const at = new Set<number>();
      while (at.size < Math.min(2, letters.length)) at.add(pick(letters));
      for (const i of at) {
        const c = chars[i]!.toLowerCase();
        chars[i] = random() < 0.5 && DIGIT_FOR[c] ? DIGIT_FOR[c] : (CYRILLIC[c] ?? DIGIT_FOR[c]!);
      }
      return { ...f, handle: chars.join("") };
    }
    case "typo+name": {
      if (handleForm(h).replace(/[0-9]/g, "").length < 6 || !base.name) return undefined;
      const r = random();
      const typo = r < 0.4 ? swapAdjacent(h) : r < 0.7 ? h.replace(/([a-z])/i, "$1$1") : h.replace(/[aeiou]/i, "");
      return { ...f, handle: typo, name: base.name };
    }
    case "transliteration+bio": {
      if (!base.name || !base.bio || base.bio.length < 40 || toArabic(base.name).replace(/\s/g, "").length < 3)
        return undefined;
      return { ...f, name: toArabic(base.name), bio: editBio(base.bio) };
    }
    case "bio": {
      if (!base.bio || base.bio.length < 40) return undefined;
      return { ...f, bio: editBio(base.bio) };
    }
    case "avatar+network": {
      if (!base.mentions || base.mentions.length < 2) return undefined;
      return {
        ...f,
        avatarPdq: flipBits(base.avatarPdq!, 4 + Math.floor(random() * 9)),
        mentions: base.mentions.slice(0, 3),
      };
    }
  }
}

// ---- hard negatives (docs/accounts.md "Hard negatives") ----

type NegKind = "shared-word" | "same-kunya" | "edit-2" | "same-topic-bio";
const KUNYA = /^(abu|ibn|umm|bint|abd|al)\s*[_ ]?/i;
const GIVEN = ["Khalid", "Omar", "Yusuf", "Hamza", "Bilal", "Tariq", "Zaid", "Anas", "Idris", "Sami", "Faris", "Karim"];
const TOPIC_BIOS = [
  "Journalist covering Syria and Iraq. Views my own. #Syria #Iraq",
  "Middle East analyst. Conflict, jihadism, security. RT ≠ endorsement",
  "News from Raqqa and Mosul as it happens. Graphic content warning.",
  "Muslim. Student. Proud of my deen. Football fan.",
];

function negative(base: AccountRecord, kind: NegKind): AccountRecord | undefined {
  const f = fresh(base);
  const form = base.handle.replace(/[0-9_]+$/, "");
  switch (kind) {
    case "shared-word": {
      // Another person whose handle shares the first half of this one: "GunsandCoffee70" → "GunsandRoses".
      if (form.length < 8) return undefined;
      return {
        ...f,
        handle: form.slice(0, Math.ceil(form.length / 2)) + pick(["Roses", "Music", "Daily", "Photo", "Times", "Club"]),
      };
    }
    case "same-kunya": {
      // A different kunya: "Abu Muhammad" → "Abu Khalid", with a handle from that name.
      const name = base.name ?? "";
      const m = KUNYA.exec(name);
      const given = pick(GIVEN);
      const newName = m ? `${m[0].trim()} ${given}` : `${name.split(/\s+/)[0]} ${given}`;
      return {
        ...f,
        name: newName,
        handle: newName.replace(/\s+/g, "_") + (random() < 0.5 ? String(Math.floor(random() * 100)) : ""),
      };
    }
    case "edit-2": {
      // Two letters replaced by other letters (a different name of the same shape: "Rami" → "Sadi").
      if (form.length < 6) return undefined;
      const chars = [...form];
      const positions = new Set<number>();
      while (positions.size < 2) positions.add(Math.floor(random() * chars.length));
      for (const i of positions) chars[i] = pick("bdfgkmnprtvz".split("").filter((c) => c !== chars[i]!.toLowerCase()));
      return { ...f, handle: chars.join("") };
    }
    case "same-topic-bio":
      return { ...f, bio: pick(TOPIC_BIOS) };
  }
}

const KINDS: readonly Kind[] = ["digits", "look-alike", "typo+name", "transliteration+bio", "bio", "avatar+network"];
const NEG_KINDS: readonly NegKind[] = ["shared-word", "same-kunya", "edit-2", "same-topic-bio"];
const NEG_PER_BASE = 3;

/** A synthetic suspended account for the speed test. */
function synthetic(i: number): AccountRecord {
  let handle = freshHandle() + (i % 7 === 0 ? "_" : "");
  while (skeletonsOf(handle).some((k) => freshSkeletons.has(k))) handle = freshHandle() + (i % 7 === 0 ? "_" : "");
  return {
    platform: "twitter",
    id: String(10_000_000 + i),
    handle,
    name: freshName(),
    bio: `${freshBio()} ${pick(SYLLABLES)}${i % 1000}`,
    avatarPdq: randomPdq(),
  };
}

/**
 * The L2 penalty of the regression (decision 0040; 1 before): of 1, 0.5 and 0.3, the one whose
 * training half keeps precision ≥ 0.99 from the product's default threshold (0.8) down, so the
 * threshold stored in banks stays the operating point (1 gave 0.65, 0.3 gave 0.85). `L2=x` for another.
 */
const L2 = Number(process.env.L2 ?? 0.5);

/**
 * Logistic regression by Newton's method (iteratively reweighted least squares) with an L2
 * penalty `lambda` on the weights (not the bias): deterministic, and converged in a few steps
 * for a handful of features.
 */
function logisticRegression(xs: readonly Float64Array[], ys: readonly number[], lambda: number) {
  const d = xs[0]!.length + 1;
  const w = new Float64Array(d); // w[0] is the bias
  for (let iter = 0; iter < 50; iter++) {
    const grad = new Float64Array(d);
    const hess = Array.from({ length: d }, () => new Float64Array(d));
    xs.forEach((x, n) => {
      let z = w[0]!;
      for (let i = 1; i < d; i++) z += w[i]! * x[i - 1]!;
      const p = 1 / (1 + Math.exp(-z));
      const r = p * (1 - p);
      for (let i = 0; i < d; i++) {
        const xi = i === 0 ? 1 : x[i - 1]!;
        grad[i]! += (p - ys[n]!) * xi;
        for (let j = 0; j < d; j++) hess[i]![j]! += r * xi * (j === 0 ? 1 : x[j - 1]!);
      }
    });
    for (let i = 1; i < d; i++) {
      grad[i]! += lambda * w[i]!;
      hess[i]![i]! += lambda;
    }
    hess[0]![0]! += 1e-9;
    const step = solve(hess, grad);
    let size = 0;
    for (let i = 0; i < d; i++) {
      w[i]! -= step[i]!;
      size = Math.max(size, Math.abs(step[i]!));
    }
    if (size < 1e-6) break;
  }
  return { bias: w[0]!, weights: Array.from(w.subarray(1)) };
}

/** Solves A x = b (Gaussian elimination with partial pivoting; A is small and copied). */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m = a.map((row, i) => Float64Array.from([...row, b[i]!]));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let v = m[r]![n]!;
    for (let k = r + 1; k < n; k++) v -= m[r]![k]! * x[k]!;
    x[r] = v / m[r]![r]!;
  }
  return x;
}

/**
 * Why a positive was missed (SHOW_FN): for each banked account of the right identity, its
 * handle, whether it was a candidate, its score and the model's features against the query.
 */
function explainMiss(index: AccountIndex, record: AccountRecord, right: (id: number) => boolean): string {
  const q = prepareAccount(record);
  const holders = index.holders(q);
  const candidates = new Set(index.candidates(q));
  const out: string[] = [];
  for (let id = 0; index.get(id) !== undefined && out.length < 8; id++) {
    if (!right(id)) continue;
    const c = index.prepared(id)!;
    const s = scoreAccount(q, c, holders);
    const x = accountFeatures(q, c, holders).features;
    const features = ACCOUNT_FEATURES.map((f, i) => (x[i]! > 0 ? `${f}=${x[i]!.toFixed(2)}` : "")).filter(Boolean);
    out.push(
      `${c.record.handle} [${candidates.has(id) ? "candidate" : "NOT a candidate"}] score ${s.score.toFixed(3)} ` +
        `{${features.join(" ")}} holders ${JSON.stringify(holders)} bio ${JSON.stringify(c.record.bio ?? "")} -> ${JSON.stringify(record.bio ?? "")}`,
    );
  }
  return out.join(" | ");
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function runAccountsBench(): Promise<void> {
  if (!existsSync(FILE)) {
    note(`SKIPPED: ${FILE} is absent (the shared test data)`);
    return;
  }
  const bases = loadAccounts();
  note(`${bases.length} banked accounts from ${FILE}; synthetic avatars (random PDQ) for each`);
  const person = bases.map((b, i) => {
    const g = SAME_PERSON.findIndex((handles) => handles.includes(b.handle));
    return g >= 0 ? -1 - g : i;
  });
  const groupsFound = SAME_PERSON.filter((g) => g.every((h) => bases.some((b) => b.handle === h))).length;
  note(`${groupsFound} of ${SAME_PERSON.length} same-person groups found in the data`);

  // Split by person (a same-person group falls wholly on one side), not by variant.
  const splitRandom = mulberry32(0x73706c74);
  const people = [...new Set(person)].sort((x, y) => x - y);
  for (let i = people.length - 1; i > 0; i--) {
    const j = Math.floor(splitRandom() * (i + 1));
    [people[i], people[j]] = [people[j]!, people[i]!];
  }
  const trainPeople = new Set(people.slice(0, Math.floor(people.length / 2)));
  const split = (i: number): "train" | "test" => (trainPeople.has(person[i]!) ? "train" : "test");
  note(
    `split by person: ${bases.filter((_, i) => split(i) === "train").length} accounts train, ${bases.filter((_, i) => split(i) === "test").length} test`,
  );

  const queries: { record: AccountRecord; source: number | undefined; kind: string; split: "train" | "test" }[] = [];
  bases.forEach((b, i) => {
    for (const k of KINDS) {
      const v = variant(b, k);
      if (v) queries.push({ record: v, source: i, kind: k, split: split(i) });
    }
    for (const k of NEG_KINDS)
      for (let r = 0; r < NEG_PER_BASE; r++) {
        const n = negative(b, k);
        if (n) queries.push({ record: n, source: undefined, kind: `negative:${k}`, split: split(i) });
      }
  });
  // ---- learning the model: logistic regression on the training half's candidate pairs ----
  // Both halves also hold DISTRACTORS synthetic accounts (different ones): unrelated accounts are
  // most of a real bank, and the model must learn what a chance resemblance among them looks like.
  const distractors = Number(process.env.DISTRACTORS ?? 20_000);
  const trainIndex = new AccountIndex();
  bases.forEach((b, i) => split(i) === "train" && trainIndex.add(i, b));
  for (let i = 0; i < distractors; i++) trainIndex.add(bases.length + i, synthetic(i));
  trainIndex.flush();
  const queryOf = (q: (typeof queries)[number]) => ({ q, prepared: prepareAccount(q.record) });
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  let missedCandidates = 0;
  const trainQueries = queries.filter((q) => q.split === "train");
  for (const { q, prepared } of trainQueries.map(queryOf)) {
    const ids = trainIndex.candidates(prepared);
    const holders = trainIndex.holders(prepared);
    const source = q.source === undefined ? undefined : person[q.source];
    if (source !== undefined && !ids.some((id) => id < bases.length && person[id] === source)) {
      missedCandidates++;
      if (process.env.SHOW_FN)
        note(`no candidate: ${q.kind} ${JSON.stringify(q.record)} / ${bases[q.source!]!.handle}`);
    }
    for (const id of ids) {
      xs.push(accountFeatures(prepared, trainIndex.prepared(id)!, holders).features);
      ys.push(id < bases.length && person[id] === source ? 1 : 0);
    }
  }
  if (process.env.DIAG) {
    const buckets = new Map<string, [number, number]>();
    xs.forEach((x, i) => {
      if (x[0] !== 1) return;
      const key = `len ${x[1]!.toFixed(1)} rare ${x[2]!.toFixed(2)}`;
      const b = buckets.get(key) ?? [0, 0];
      b[ys[i]!]!++;
      buckets.set(key, b);
    });
    for (const [k, [neg, pos]] of [...buckets].sort()) note(`handle_same ${k}: ${pos} positive, ${neg} negative`);
  }
  const learned = logisticRegression(xs, ys, L2);
  note(
    `learned on ${xs.length} candidate pairs (${ys.filter((y) => y === 1).length} positive) of ${trainQueries.length} training queries; ` +
      `${missedCandidates} positives had no candidate: bias ${learned.bias.toFixed(2)}, ` +
      ACCOUNT_FEATURES.map((f, i) => `${f} ${learned.weights[i]!.toFixed(2)}`).join(", "),
  );
  const drift = Math.max(
    Math.abs(learned.bias - ACCOUNT_MODEL.bias),
    ...ACCOUNT_FEATURES.filter((f) => !UNLEARNED_FEATURES.includes(f)).map((f) =>
      Math.abs(learned.weights[ACCOUNT_FEATURES.indexOf(f)]! - ACCOUNT_MODEL.weights[f]),
    ),
  );
  emit({ bench: "accounts", case: "model", impl: "rasd", metric: "max_weight_drift", value: drift, load1: load1() });
  if (drift > 0.05)
    note(`the committed ACCOUNT_MODEL differs from the weights learned here by up to ${drift.toFixed(2)}`);

  // ---- evaluation: the committed model through the product's path (index.query) ----
  const index = new AccountIndex();
  bases.forEach((b, i) => index.add(i, b));
  for (let i = 0; i < distractors; i++) index.add(bases.length + i, synthetic(distractors + i));
  index.flush();
  // Each query once (the candidates do not depend on the threshold), then every threshold.
  const THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];
  const answers = queries.map((q) => index.query(q.record, THRESHOLDS[0]!));
  const chosen: Record<string, number> = {};
  for (const part of ["train", "test"] as const)
    for (const threshold of THRESHOLDS) {
      const per = new Map<string, { n: number; tp: number; fp: number }>();
      queries.forEach((q, qi) => {
        if (q.split !== part) return;
        const s = per.get(q.kind) ?? { n: 0, tp: 0, fp: 0 };
        per.set(q.kind, s);
        s.n++;
        const hits = answers[qi]!.filter((h) => h.score >= threshold);
        const source = q.source === undefined ? undefined : person[q.source];
        const right = (id: number) => id < bases.length && person[id] === source;
        if (hits.some((h) => right(h.id))) s.tp++;
        else if (process.env.SHOW_FN && source !== undefined && threshold === DEFAULT_ACCOUNT_MIN_SCORE)
          note(`FN ${part} ${q.kind}: ${q.record.handle} ${q.record.name} / ${explainMiss(index, q.record, right)}`);
        for (const hit of hits) {
          if (right(hit.id)) continue;
          s.fp++;
          if (process.env.SHOW_FP && threshold === DEFAULT_ACCOUNT_MIN_SCORE)
            note(
              `FP ${part} ${q.kind}: ${JSON.stringify(q.record)} -> ${JSON.stringify(index.get(hit.id))} ${JSON.stringify(hit.evidence)}`,
            );
        }
      });
      let tp = 0;
      let fp = 0;
      let positives = 0;
      const common = { bench: "accounts", impl: "rasd", split: part, threshold };
      for (const [kind, s] of per) {
        tp += s.tp;
        fp += s.fp;
        if (!kind.startsWith("negative:")) {
          positives += s.n;
          emit({ ...common, case: kind, metric: "recall", value: s.tp / s.n, queries: s.n, load1: load1() });
          emit({
            ...common,
            case: kind,
            metric: "precision",
            value: s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp),
            false_positives: s.fp,
            load1: load1(),
          });
        } else {
          emit({ ...common, case: kind, metric: "false_positives", value: s.fp, queries: s.n, load1: load1() });
        }
      }
      const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
      if (part === "train" && precision >= 0.99 && chosen.train === undefined) chosen.train = threshold;
      emit({ ...common, case: "all", metric: "recall", value: tp / positives, queries: positives, load1: load1() });
      emit({
        ...common,
        case: "all",
        metric: "precision",
        value: precision,
        false_positives: fp,
        queries: [...per.values()].reduce((n, s) => n + s.n, 0),
        load1: load1(),
      });
    }
  // The threshold is chosen on the training half only: the lowest keeping precision ≥ 0.99.
  emit({
    bench: "accounts",
    case: "threshold",
    impl: "rasd",
    split: "train",
    metric: "lowest_threshold_at_precision_0.99",
    value: chosen.train ?? 1,
    committed: DEFAULT_ACCOUNT_MIN_SCORE,
    load1: load1(),
  });

  // ---- speed against 1M synthetic suspended accounts ----
  const n = Number(process.env.ACCOUNTS ?? 1_000_000);
  const t0 = process.hrtime.bigint();
  const big = new AccountIndex();
  bases.forEach((b, i) => big.add(i, b));
  for (let i = 0; i < n; i++) big.add(bases.length + i, synthetic(i));
  big.flush();
  const buildSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  global.gc?.();
  note(
    `index of ${big.size} accounts built in ${buildSeconds.toFixed(1)} s; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
  // Precision among a million: the test half's queries against the big index (a hit on a
  // synthetic account is a false positive too).
  {
    let tp = 0;
    let fp = 0;
    let positives = 0;
    for (const q of queries) {
      if (q.split !== "test") continue;
      const source = q.source === undefined ? undefined : person[q.source];
      if (source !== undefined) positives++;
      const hits = big.query(q.record, DEFAULT_ACCOUNT_MIN_SCORE);
      if (hits.some((h) => h.id < bases.length && person[h.id] === source)) tp++;
      fp += hits.filter((h) => !(h.id < bases.length && person[h.id] === source)).length;
    }
    const common = { bench: "accounts", case: "all-1M", impl: "rasd", split: "test", accounts: big.size };
    const threshold = DEFAULT_ACCOUNT_MIN_SCORE;
    emit({ ...common, metric: "recall", value: tp / positives, threshold, load1: load1() });
    emit({ ...common, metric: "precision", value: tp / (tp + fp), false_positives: fp, threshold, load1: load1() });
  }
  for (const q of queries.slice(0, 200)) big.query(q.record, DEFAULT_ACCOUNT_MIN_SCORE); // warm-up
  const times: number[] = [];
  // CPU time per query too (the process's, GC threads included): on a machine shared with other
  // work the wall time is mostly waiting for a core, which the CPU time is not.
  const cpuTimes: number[] = [];
  const rounds = 3;
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++)
    for (const q of queries) {
      const c = process.cpuUsage();
      const s = process.hrtime.bigint();
      big.query(q.record, DEFAULT_ACCOUNT_MIN_SCORE);
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
      const d = process.cpuUsage(c);
      cpuTimes.push((d.user + d.system) / 1000);
    }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const common = { bench: "accounts", case: "match-1M", impl: "rasd", accounts: big.size, queries: times.length };
  emit({ ...common, metric: "p50_ms", value: quantile(times, 0.5), load1: load1() });
  emit({ ...common, metric: "p99_ms", value: quantile(times, 0.99), load1: load1() });
  emit({ ...common, metric: "max_ms", value: times.at(-1)!, load1: load1() });
  emit({ ...common, metric: "cpu_ms_per_query", value: (cpu.user + cpu.system) / 1000 / times.length, load1: load1() });
  emit({ ...common, metric: "cpu_p50_ms", value: quantile(cpuTimes, 0.5), load1: load1() });
  emit({ ...common, metric: "cpu_p99_ms", value: quantile(cpuTimes, 0.99), load1: load1() });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runAccountsBench();
}
