/**
 * Conformance with Meta's reference PDQ on the ThreatExchange test data
 * (../shared/testdata/threatexchange, see its PROVENANCE.md). Skips visibly without it.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DIHEDRAL_NAMES } from "../../src/kernels/pdq/dihedral.js";
import { hammingDistanceHex } from "../../src/kernels/pdq/hash256.js";
import { floatLuma } from "../../src/kernels/pdq/luma.js";
import { PdqHasher } from "../../src/kernels/pdq/pdq.js";
import { pdqHashImageFile } from "../../src/signals/pdq/hash-image.js";
import { THREATEXCHANGE, needsShared, readCsv } from "../support/shared.js";

const GENERATED = join(THREATEXCHANGE, "_generated/cpp-reference");

/**
 * Files whose expected hash the reference computed from pixels we cannot reproduce, with
 * the bound we hold and why.
 */
const DECODER_EXCEPTIONS: Record<string, { bound: number; why: string }> = {
  "python-threatexchange/threatexchange/tests/hashing/resources/I16.png": {
    bound: 256,
    why:
      "16-bit greyscale: the C++ reference keeps only the low byte of each 16-bit sample (CImg's PNM reader), " +
      "which hashes noise, and python-threatexchange lets Pillow clip I;16 to 0..255. rasd scales 16-bit samples " +
      "to 8 bits (high byte), so no bound below 256 can be promised; see docs/limits.md.",
  },
};

describe("PDQ conformance: every image in the reference summary", { skip: needsShared }, () => {
  const rows = needsShared ? [] : readCsv(join(GENERATED, "pdq_cpp_reference_summary.csv"));
  const hasher = new PdqHasher();
  for (const row of rows) {
    const file = row.file!;
    const exception = DECODER_EXCEPTIONS[file];
    it(`${file}: full and 512 flavours and all 8 dihedral hashes`, async () => {
      const path = join(THREATEXCHANGE, file);
      const full = await pdqHashImageFile(path, { flavour: "full" }, hasher);
      const cli = await pdqHashImageFile(path, { flavour: "512", dihedral: true }, hasher);
      const bound = exception?.bound ?? 0;
      assert.ok(hammingDistanceHex(full.hash, row.hash_fullres!) <= bound, `full: ${full.hash} vs ${row.hash_fullres}`);
      assert.ok(hammingDistanceHex(cli.hash, row.hash_cli512!) <= bound, `512: ${cli.hash} vs ${row.hash_cli512}`);
      if (!exception) {
        assert.equal(full.quality, Number(row.quality_fullres));
        assert.equal(cli.quality, Number(row.quality_cli512));
        for (const name of DIHEDRAL_NAMES) assert.equal(cli.dihedral![name], row[`dih_${name}`], name);
      }
    });
  }
});

describe(
  "PDQ conformance: the WASM/C++ CLI test vectors (PDQMD5TestData.csv, 512 flavour)",
  { skip: needsShared },
  () => {
    const rows = needsShared ? [] : readCsv(join(THREATEXCHANGE, "pdq/wasm/test/TestData/PDQMD5TestData.csv"));
    for (const row of rows) {
      const rel = row.FilePath!.replace(/^(\.\.\/)+/, "").replace(/^data\//, "pdq/data/");
      if (rel.endsWith(".mp4")) continue; // MD5 rows for videos: not PDQ
      const file = rel.replace("pdq/data/misc-images/b.jpg", "pdq/data/reg-test-input/dih/bridge-1-original.jpg");
      it(`${rel}`, async () => {
        const got = await pdqHashImageFile(join(THREATEXCHANGE, file), { flavour: "512" });
        const d = hammingDistanceHex(got.hash, row.Hash!);
        if (file.endsWith("sharpen-a-lot.jpg")) {
          // The WASM build decoded this JPEG differently: the native C++ CLI on this machine
          // gives our hash exactly (checked in the summary test above), 2 bits from the CSV.
          assert.ok(d <= 2, `distance ${d}`);
        } else {
          assert.equal(got.hash, row.Hash, `distance ${d}`);
        }
      });
    }
  },
);

describe("PDQ conformance: python-threatexchange and Java vectors (full flavour)", { skip: needsShared }, () => {
  const rows = needsShared
    ? []
    : readCsv(join(THREATEXCHANGE, "_generated/expected/pdq_expected_hashes_by_source.csv"));
  const vectors = rows.filter(
    (r) => r.dist_to_cpp_fullres === "0" && /python-threatexchange|pdq\/java\/src\/test/.test(r.source_repo_path!),
  );
  it("has the published vectors to check", () => assert.ok(vectors.length >= 14, `${vectors.length} vectors`));
  for (const row of vectors) {
    it(`${row.source_repo_path} → ${row.image_repo_path}`, async () => {
      // Some paths carry a note: "pdq/data/.../bridge-1-original.jpg (misc-images/b.jpg, since removed)".
      const image = row.image_repo_path!.replace(/ \(.*\)$/, "");
      const got = await pdqHashImageFile(join(THREATEXCHANGE, image), { flavour: "full" });
      assert.equal(got.hash, row.expected_hash);
      if (row.expected_quality) assert.equal(got.quality, Number(row.expected_quality));
    });
  }
});

describe("PDQ conformance: decoded-pixel PNGs and intermediate values", { skip: needsShared }, () => {
  const summary = needsShared ? [] : readCsv(join(GENERATED, "pdq_cpp_reference_summary.csv"));
  const expectedFor = (name: string): Record<string, string> => {
    const match = summary.find((r) => r.file!.endsWith(`/${name}.jpg`))!;
    return match;
  };
  for (const name of ["bridge-1-original", "q0122", "sharpen-a-lot", "small", "wee"]) {
    it(`${name}.decoded.png hashes like the JPEG the reference decoded`, async () => {
      const got = await pdqHashImageFile(join(GENERATED, "decoded-rgb", `${name}.decoded.png`), { flavour: "512" });
      assert.equal(got.hash, expectedFor(name).hash_cli512);
    });
  }

  const parseFloats = (text: string): { header: string; values: number[] } => {
    const lines = text.split("\n");
    const header = lines.filter((l) => l.startsWith("#")).join("\n");
    const values = lines
      .filter((l) => l.trim() !== "" && !l.startsWith("#"))
      .flatMap((l) => l.trim().split(/\s+/).map(Number));
    return { header, values };
  };

  for (const name of ["bridge-1-original", "q0122", "small", "wee"]) {
    it(`${name}: 64x64 buffer, 16x16 DCT, median and quality equal the reference's`, () => {
      const lumaPath = join(GENERATED, "intermediates", `${name}.luma_input.txt`);
      const lumaText =
        name === "bridge-1-original"
          ? gunzipSync(readFileSync(`${lumaPath}.gz`)).toString("utf8")
          : readFileSync(lumaPath, "utf8");
      const luma = parseFloats(lumaText);
      const [, rows, cols] = /rows=(\d+) cols=(\d+)/.exec(luma.header)!.map(Number) as [number, number, number];
      assert.equal(luma.values.length, rows * cols);
      const got = new PdqHasher().intermediates(floatLuma(Float32Array.from(luma.values), rows, cols));

      const buffer = parseFloats(readFileSync(join(GENERATED, "intermediates", `${name}.buffer64x64.txt`), "utf8"));
      for (let i = 0; i < 4096; i++) assert.equal(got.buffer64[i], Math.fround(buffer.values[i]!), `buffer cell ${i}`);

      const dct = parseFloats(readFileSync(join(GENERATED, "intermediates", `${name}.dct16x16.txt`), "utf8"));
      for (let i = 0; i < 256; i++) assert.equal(got.dct16[i], Math.fround(dct.values[i]!), `dct cell ${i}`);
      const median = Number(/median=(\S+)/.exec(dct.header)![1]);
      const quality = Number(/quality=(\d+)/.exec(dct.header)![1]);
      assert.equal(got.median, Math.fround(median));
      assert.equal(got.quality, quality);
    });
  }
});
