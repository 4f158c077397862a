/**
 * Banks and matching from the command line: org and bank creation, import with bad rows,
 * export round trip, retraction, opinions, and `rasd match`.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../support/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-bank-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, "data");

function rasd(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", data], {
    cwd: REPO_ROOT,
    input,
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HASH = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const TEXT = "جنود الخلافة يتقدمون نحو المدينة عند الفجر وسيفتحونها قريبا بإذن الله تعالى";

describe("rasd org, bank, signal and match", () => {
  it("creates an organisation and banks", () => {
    assert.equal(rasd(["org", "create", "Sawab Center", "--kind", "government"]).status, 0);
    const dup = rasd(["org", "create", "Sawab Center", "--kind", "ngo"]);
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, /already exists/);
    const created = rasd([
      "bank",
      "create",
      "isis-media",
      "--org",
      "Sawab Center",
      "--action-hint",
      "remove",
      "--pdq-threshold",
      "24",
    ]);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /Sawab Center\/isis-media\tpdq<=24/);
    assert.equal(rasd(["bank", "create", "news", "--org", "Sawab Center", "--negative"]).status, 0);
    const bad = rasd(["bank", "create", "x", "--org", "Sawab Center", "--pdq-threshold", "40"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /0\.\.31/);
    assert.equal(rasd(["bank", "create", "y", "--org", "Nobody"]).status, 1);
  });

  it("imports a CSV: bad rows by line number, good rows land, exit status 1", () => {
    const file = join(dir, "signals.csv");
    writeFileSync(
      file,
      [
        "type,value,entity,behaviour,language,confidence,source",
        `pdq,${HASH},isis,glorification,ar,90,analyst`,
        "pdq,not-a-hash,isis,,,,",
        "url,hxxps://justpaste[.]it/MessageToTheTruthful,isis,recruitment,ar,80,",
        "domain,gulfup.com,isis,,,60,",
        `text,"${TEXT}",isis,incitement,ar,70,`,
        "md5,zz,isis,,,,",
      ].join("\n"),
    );
    const r = rasd(["bank", "import", "isis-media", file, "--no-progress"]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "4 created, 0 updated, 0 reactivated, 2 rejected\n");
    assert.deepEqual(r.stderr.trim().split("\n"), [
      `rasd: ${file}: line 3: not a PDQ hash (64 hex digits): "not-a-hash"`,
      `rasd: ${file}: line 7: not an MD5 (32 hex digits): "zz"`,
    ]);
    const again = rasd(
      ["bank", "import", "isis-media", "-", "--format", "jsonl"],
      `{"type":"pdq","value":"${HASH}","entity":"isis","behaviour":"recruitment"}\n{oops\n`,
    );
    assert.equal(again.stdout, "0 created, 1 updated, 0 reactivated, 1 rejected\n");
    assert.match(again.stderr, /line 2: invalid JSON/);
  });

  it("lists banks with their sizes", () => {
    const r = rasd(["bank", "list"]);
    assert.match(r.stdout, /Sawab Center\/isis-media\t.*\t4 signals/);
    assert.match(r.stdout, /Sawab Center\/news\tnegative/);
  });

  it("matches a hash, a URL and a text; exit status 1 when nothing matches", () => {
    const near = HASH.slice(0, 62) + "00";
    const pdq = rasd(["match", "pdq", near]);
    assert.equal(pdq.status, 0, pdq.stderr);
    assert.match(
      pdq.stdout,
      /^bank=Sawab Center\/isis-media signal=1 type=pdq distance=\d+ labels=isis,glorification,recruitment,lang:ar\n$/,
    );
    const json = JSON.parse(rasd(["match", "pdq", HASH, "--json"]).stdout) as {
      matches: { distance: number; signal: { value: string } }[];
    };
    assert.equal(json.matches[0]!.distance, 0);
    assert.equal(json.matches[0]!.signal.value, HASH);
    assert.equal(rasd(["match", "pdq", "0".repeat(64)]).status, 1);

    const url = rasd(["match", "url", "HTTPS://www.justpaste.it/MessageToTheTruthful?utm_source=x"]);
    assert.equal(url.status, 0, url.stderr);
    assert.match(url.stdout, /type=url matched=justpaste\.it\/MessageToTheTruthful/);
    assert.match(rasd(["match", "url", "http://www.gulfup.com/file/1"]).stdout, /type=domain matched=gulfup\.com/);
    assert.equal(rasd(["match", "url", "https://example.org/"]).status, 1);

    const text = rasd(["match", "text", "-"], `RT @someone: ${TEXT.replace("الخلافة", "الخِلافة")} #عاجل`);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /type=text similarity=1\.000/);
  });

  it("exports CSV and JSON lines that import back", () => {
    const csv = rasd(["bank", "export", "isis-media"]);
    assert.equal(csv.status, 0);
    assert.equal(csv.stdout.trim().split("\n").length, 5);
    assert.ok(rasd(["bank", "create", "mirror", "--org", "Sawab Center"]).status === 0);
    const back = rasd(["bank", "import", "mirror", "-", "--format", "csv"], csv.stdout);
    assert.equal(back.stdout, "4 created, 0 updated, 0 reactivated, 0 rejected\n");
    const jsonl = rasd(["bank", "export", "Sawab Center/mirror", "--format", "jsonl"]).stdout.trim().split("\n");
    assert.deepEqual(jsonl.map((l) => (JSON.parse(l) as { type: string }).type).sort(), [
      "domain",
      "pdq",
      "text",
      "url",
    ]);
  });

  it("signal changes: everything since a cursor, tombstones included, with the next cursor", () => {
    const all = rasd(["signal", "changes", "--since", "0"]);
    assert.equal(all.status, 0);
    const cursor = Number(/cursor (\d+)/.exec(all.stderr)![1]);
    assert.ok(cursor > 0);
    assert.equal(rasd(["signal", "changes", "--since", String(cursor)]).stdout, "");
    assert.equal(rasd(["signal", "retract", "3"]).status, 0);
    const after = rasd(["signal", "changes", "--since", String(cursor)]);
    const changed = after.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: number; status: string });
    assert.deepEqual(
      changed.map((c) => [c.id, c.status]),
      [[3, "retracted"]],
    );
    assert.equal(rasd(["signal", "changes", "--since", "-1"]).status, 2);
  });

  it("retracts a signal (a tombstone in exports) and records opinions", () => {
    assert.equal(rasd(["signal", "retract", "1"]).status, 0);
    assert.equal(rasd(["match", "pdq", HASH]).stdout.includes("isis-media"), false);
    const withTombstones = rasd(["bank", "export", "isis-media", "--include-retracted"]).stdout;
    assert.match(withTombstones, new RegExp(`${HASH},.*,retracted,`));
    assert.equal(rasd(["org", "create", "Platform X", "--kind", "platform"]).status, 0);
    assert.equal(
      rasd(["signal", "opinion", "2", "--org", "Platform X", "--kind", "saw-it-too", "--note", "seen 40 times"]).status,
      0,
    );
    const shown = JSON.parse(rasd(["signal", "show", "2"]).stdout) as { opinions: { kind: string; note: string }[] };
    assert.deepEqual(
      shown.opinions.map((o) => [o.kind, o.note]),
      [["saw-it-too", "seen 40 times"]],
    );
  });

  it("an export with tombstones imports back with retracted signals still retracted", () => {
    const withTombstones = rasd(["bank", "export", "isis-media", "--include-retracted"]).stdout;
    assert.equal(rasd(["bank", "create", "isis-media-mirror", "--org", "Sawab Center"]).status, 0);
    // The mirror held the retracted hash as active (an older copy): the tombstone retracts it.
    const older = rasd(
      ["bank", "import", "isis-media-mirror", "-", "--format", "jsonl"],
      JSON.stringify({ type: "pdq", value: HASH }),
    );
    assert.equal(older.stdout, "1 created, 0 updated, 0 reactivated, 0 rejected\n", older.stderr);
    const back = rasd(["bank", "import", "isis-media-mirror", "-", "--format", "csv"], withTombstones);
    assert.equal(back.status, 0, back.stderr);
    // Signal 2's opinion (Platform X's, above) comes with it, kept as an opinion from elsewhere.
    assert.match(back.stdout, /, 0 rejected, 2 tombstones \(1 retracted here\), 1 opinions\n$/);
    const active = rasd(["bank", "export", "Sawab Center/isis-media-mirror"]).stdout;
    assert.doesNotMatch(active, new RegExp(HASH), "the retracted hash did not come back as active");
    const all = rasd(["bank", "export", "Sawab Center/isis-media-mirror", "--include-retracted"]).stdout;
    assert.match(all, new RegExp(`${HASH},.*,retracted,`));
    assert.match(all, /""org"":""Platform X"",""kind"":""saw-it-too"",""note"":""seen 40 times""/);
    // A status that is neither is refused by line, the rest lands.
    const bad = rasd(
      ["bank", "import", "isis-media-mirror", "-", "--format", "jsonl"],
      `${JSON.stringify({ type: "domain", value: "ok.example" })}\n${JSON.stringify({ type: "domain", value: "x.example", status: "deleted" })}`,
    );
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /line 2: status: "deleted" is not active or retracted/);
    assert.match(bad.stdout, /^1 created/);
  });

  it("python-threatexchange's local_file and dataset --csv files import, and rasd writes them back", () => {
    assert.equal(rasd(["bank", "create", "from-pytx", "--org", "Sawab Center"]).status, 0);
    // A local_file as python-threatexchange reads and appends it: "<signal type> <signal>" a line.
    const localFile = [
      `pdq ${HASH}`,
      "raw_text the soldiers of the caliphate advance on the city at dawn",
      "url https://justpaste.it/isis-news-42",
      "video_md5 cab08b36195edb1a1231d2d09fa450e0",
      `video_sha256 ${"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}`,
      "",
      "url_md5 d64e8ccd2c7849a58c4ee7d139d0d9f8",
      'trend_query {"and": [["caliphate"]]}',
    ].join("\n");
    const local = rasd(["bank", "import", "from-pytx", "-", "--format", "pytx-file"], localFile);
    assert.equal(local.stdout, "6 created, 0 updated, 0 reactivated, 1 rejected\n", local.stderr);
    assert.match(local.stderr, /line 8: python-threatexchange signal type "trend_query" is not one rasd holds/);

    // `threatexchange dataset -P --csv`, in the shape python-threatexchange (run from its source)
    // writes it: its column order, its category names. A NEGATIVE_CLASS row takes a signal out.
    const dataset = [
      "signal_type,signal_str,collab,category,tags",
      `pdq,${"f".repeat(64)},Sample Data,POSITIVE_CLASS,isis propaganda`,
      "raw_text,a second text from the collaboration about the caliphate,Sample Data,INVESTIGATION_SEED,",
      "video_md5,cab08b36195edb1a1231d2d09fa450e0,Sample Data,NEGATIVE_CLASS,",
      "pdq,0000,Sample Data,POSITIVE_CLASS,",
      "pdq,1111,Sample Data,MAYBE,",
    ].join("\n");
    const csv = rasd(["bank", "import", "from-pytx", "-", "--format", "pytx-csv"], dataset);
    assert.match(csv.stdout, /^2 created, 0 updated, 0 reactivated, 2 rejected, 1 tombstones \(1 retracted here\)\n$/);
    assert.match(csv.stderr, /line 5: not a PDQ hash/);
    assert.match(csv.stderr, /line 6: category: "MAYBE" is not one of POSITIVE_CLASS/);

    const out = rasd(["bank", "export", "Sawab Center/from-pytx", "--format", "pytx-csv", "--include-retracted"]);
    assert.equal(out.status, 0, out.stderr);
    const rows = out.stdout.trim().split("\n");
    assert.equal(rows[0], "signal_type,signal_str,collab,category,tags");
    assert.ok(rows.includes(`pdq,${HASH},from-pytx,POSITIVE_CLASS,`), rows.join("\n"));
    assert.ok(rows.includes("video_md5,cab08b36195edb1a1231d2d09fa450e0,from-pytx,NEGATIVE_CLASS,"));
    assert.ok(rows.some((r) => r.startsWith("video_sha256,e3b0c442")));
    assert.ok(rows.some((r) => r.startsWith("raw_text,")));

    const lines = rasd(["bank", "export", "Sawab Center/from-pytx", "--format", "pytx-file", "--include-retracted"]);
    const written = lines.stdout.trim().split("\n");
    assert.ok(written.includes(`pdq ${HASH}`));
    assert.ok(!written.some((l) => l.includes("cab08b36")), "local_file cannot say retracted: left out");
    assert.match(lines.stderr, /1 signals left out: pytx-file has no place for their type or a tombstone/);

    // Round trip: what rasd writes, rasd (and python-threatexchange) reads as the same signals.
    assert.equal(rasd(["bank", "create", "pytx-copy", "--org", "Sawab Center"]).status, 0);
    const again = rasd(["bank", "import", "pytx-copy", "-", "--format", "pytx-csv"], out.stdout);
    assert.equal(again.status, 0, again.stderr);
    const values = (bank: string) =>
      rasd(["bank", "export", `Sawab Center/${bank}`, "--format", "jsonl"])
        .stdout.trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { type: string; value: string })
        .map((x) => `${x.type} ${x.value}`)
        .sort();
    assert.deepEqual(values("pytx-copy"), values("from-pytx"));
  });

  it("a STIX 2.1 bundle out and back in: the same signals, labels, sources and dates, retracted ones revoked", () => {
    const out = rasd(["bank", "export", "Sawab Center/from-pytx", "--format", "stix", "--include-retracted"]);
    assert.equal(out.status, 0, out.stderr);
    const bundle = JSON.parse(out.stdout) as { type: string; objects: { type: string; revoked?: boolean }[] };
    assert.equal(bundle.type, "bundle");
    const indicators = bundle.objects.filter((o) => o.type === "indicator");
    assert.ok(
      indicators.some((o) => o.revoked === true),
      "the NEGATIVE_CLASS one is revoked",
    );
    assert.ok(bundle.objects.some((o) => o.type === "marking-definition"));

    assert.equal(rasd(["bank", "create", "stix-copy", "--org", "Sawab Center"]).status, 0);
    const back = rasd(["bank", "import", "stix-copy", "-", "--format", "stix"], out.stdout);
    assert.equal(back.status, 0, back.stderr);
    assert.match(
      back.stdout,
      /^\d+ created, 0 updated, 0 reactivated, 0 rejected, 1 tombstones \(0 retracted here\)\n$/,
    );
    const rows = (bank: string) =>
      rasd(["bank", "export", `Sawab Center/${bank}`, "--format", "jsonl"])
        .stdout.trim()
        .split("\n")
        .map((l) => {
          const { type, value, labels, source, first_seen, last_seen, confidence, quality } = JSON.parse(l) as Record<
            string,
            unknown
          >;
          return JSON.stringify({ type, value, labels, source, first_seen, last_seen, confidence, quality });
        })
        .sort();
    assert.deepEqual(rows("stix-copy"), rows("from-pytx"));
    const notBundle = rasd(["bank", "import", "stix-copy", "-", "--format", "stix"], '{"type":"indicator"}');
    assert.equal(notBundle.status, 1);
    assert.match(notBundle.stderr, /line 1: STIX: not a STIX bundle/);
  });

  it("bank export neutralises formula cells (=, +, -, @, tab, CR) and imports back identical", () => {
    assert.equal(rasd(["bank", "create", "formulas", "--org", "Sawab Center"]).status, 0);
    assert.equal(rasd(["bank", "create", "formulas-copy", "--org", "Sawab Center"]).status, 0);
    const leads = ["=", "+", "-", "@", "\t", "\r"];
    const jsonl = leads
      .map((lead, i) =>
        JSON.stringify({
          type: "text",
          value: `${lead}${i} ${TEXT}`,
          entity: "isis",
          source: `${lead}HYPERLINK("http://evil.example")`,
          confidence: 50,
        }),
      )
      .join("\n");
    const imported = rasd(["bank", "import", "formulas", "-", "--format", "jsonl"], jsonl);
    assert.equal(imported.stdout, "6 created, 0 updated, 0 reactivated, 0 rejected\n", imported.stderr);
    const csv = rasd(["bank", "export", "Sawab Center/formulas"]).stdout;
    // No cell of the file begins with a formula character: each carries the ' mark.
    for (const line of csv.trim().split("\n").slice(1)) {
      assert.doesNotMatch(line, /(^|,)"?[=+\-@\t\r]/, line);
      assert.match(line, /,"?'[=+\-@\t\r]/, line);
    }
    const back = rasd(["bank", "import", "formulas-copy", "-", "--format", "csv"], csv);
    assert.equal(back.stdout, "6 created, 0 updated, 0 reactivated, 0 rejected\n", back.stderr);
    const rows = (bank: string) =>
      rasd(["bank", "export", `Sawab Center/${bank}`, "--format", "jsonl"])
        .stdout.trim()
        .split("\n")
        .map((l) => {
          const { value, source, confidence } = JSON.parse(l) as Record<string, unknown>;
          return { value, source, confidence };
        })
        .sort((a, b) => String(a.value).localeCompare(String(b.value)));
    const original = rows("formulas");
    assert.equal(original.length, 6);
    assert.deepEqual(rows("formulas-copy"), original);
    assert.ok(original.some((r) => String(r.source).startsWith("=HYPERLINK")));
  });
});

describe("rasd bank content (HMA's contents)", () => {
  const MD5 = "0cc175b9c0f1b6a831c399e269772661";
  const PDQ = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const status = (id: string): string[] =>
    (JSON.parse(rasd(["bank", "content", "show", id]).stdout) as { signals: { status: string }[] }).signals.map(
      (s) => s.status,
    );

  it("adds one content with two signals, disables (until a time), enables and deletes them together", () => {
    assert.equal(rasd(["org", "create", "Content Org", "--kind", "platform"]).status, 0);
    assert.equal(rasd(["bank", "create", "videos", "--org", "Content Org"]).status, 0);
    const added = rasd([
      "bank",
      "content",
      "add",
      "Content Org/videos",
      `pdq:${PDQ.toUpperCase()}`,
      `video_md5:${MD5}`,
      "--note",
      "a video",
    ]);
    assert.equal(added.status, 0, added.stderr);
    const id = added.stdout.split("\t")[0]!;
    assert.match(
      added.stdout,
      new RegExp(`^${id}\tenabled\tpdq:${PDQ}\\(active\\) video_md5:${MD5}\\(active\\)\ta video\n$`),
    );
    const again = rasd(["bank", "content", "add", "Content Org/videos", `video_md5:${MD5}`]);
    const second = again.stdout.split("\t")[0]!;
    assert.notEqual(second, id, "each add is a new content");

    assert.equal(rasd(["bank", "content", "disable", id]).status, 0);
    assert.deepEqual(status(id), ["retracted", "active"], "the md5 is still held by the second content");
    assert.equal(rasd(["bank", "content", "delete", second]).status, 0);
    assert.deepEqual(status(id), ["retracted", "retracted"]);
    const later = rasd(["bank", "content", "disable", id, "--until", "2099-01-01T00:00:00Z"]);
    assert.match(later.stdout, /disabled until 4070908800/);
    assert.equal(rasd(["bank", "content", "disable", id, "--until", "1000"]).status, 2);
    assert.equal(rasd(["bank", "content", "enable", id]).status, 0);
    assert.deepEqual(status(id), ["active", "active"]);

    const list = rasd(["bank", "content", "list", "Content Org/videos", "--json"]);
    assert.deepEqual(
      list.stdout
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { id: number }).id),
      [Number(id)],
    );
    assert.equal(rasd(["bank", "content", "delete", id]).status, 0);
    const gone = rasd(["bank", "content", "show", id]);
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, /no bank content/);
    const bad = rasd(["bank", "content", "add", "Content Org/videos", "pdq:nothex"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /pdq:nothex/);
  });
});
