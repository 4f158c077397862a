import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { foldHomoglyphs } from "../../src/kernels/text/homoglyphs.js";
import { normalizeText } from "../../src/kernels/text/normalize.js";

/** Every assigned letter and mark of the Arabic blocks, as one string. */
function arabicBlockLetters(): string {
  let out = "";
  const ranges: [number, number][] = [
    [0x0600, 0x06ff],
    [0x0750, 0x077f],
    [0x08a0, 0x08ff],
    [0xfb50, 0xfdff],
    [0xfe70, 0xfeff],
  ];
  for (const [from, to] of ranges) {
    for (let c = from; c <= to; c++) {
      const ch = String.fromCodePoint(c);
      if (/[\p{L}\p{M}\p{N}]/u.test(ch)) out += ch;
    }
  }
  return out;
}

describe("homoglyph folding: Latin words only", () => {
  it("folds Cyrillic and Greek look-alikes inside Latin words", () => {
    assert.equal(foldHomoglyphs("Dаbіq issue"), "Dabiq issue"); // Cyrillic а, і
    assert.equal(foldHomoglyphs("jоin the Ιslamic state"), "join the Islamic state"); // Cyrillic о, Greek Ι
    assert.equal(foldHomoglyphs("ѕuрроrt"), "support");
  });

  it("folds words made only of look-alikes when the text around them is Latin", () => {
    assert.equal(foldHomoglyphs("Join ІЅІЅ now"), "Join ISIS now"); // all-Cyrillic word
    assert.equal(foldHomoglyphs("ΑΒΕ is here"), "ABE is here"); // all-Greek word
  });

  it("folds Latin-script look-alikes that NFKC leaves alone", () => {
    assert.equal(foldHomoglyphs("ᴊᴏɪɴ ᴜs"), "join us");
    assert.equal(foldHomoglyphs("ıslamic"), "islamic");
  });

  it("folds a link glued to an Arabic word without touching the Arabic", () => {
    assert.equal(foldHomoglyphs("الرابطhttpѕ://t.cо/x"), "الرابطhttps://t.co/x");
  });

  it("leaves Russian and Greek prose alone", () => {
    for (const text of ["Привет, как дела? Он сказал: да.", "Καλημέρα κόσμε, τι κάνεις;", "Это сон, а не явь"]) {
      assert.equal(foldHomoglyphs(text), text);
    }
  });

  it("never folds a Cyrillic word that has a letter with no Latin twin", () => {
    assert.equal(foldHomoglyphs("Join the привет army"), "Join the привет army");
  });
});

describe("homoglyph folding never alters Arabic letters", () => {
  it("'مرحبا' stays 'مرحبا' (the trap of Unicode-confusables packages)", () => {
    assert.equal(foldHomoglyphs("مرحبا"), "مرحبا");
    assert.equal(normalizeText("مرحبا"), "مرحبا");
    assert.equal(normalizeText("مرحبا ISIS and Ѕуria"), "مرحبا isis and syria");
  });

  it("leaves every Arabic letter, mark and digit unchanged, alone and among Latin words", () => {
    const arabic = arabicBlockLetters();
    assert.ok(arabic.length > 1000);
    assert.equal(foldHomoglyphs(arabic), arabic);
    assert.equal(foldHomoglyphs(`Join Ѕуria ${arabic} ІЅІЅ now`), `Join Syria ${arabic} ISIS now`);
    for (const ch of arabic) assert.equal(foldHomoglyphs(`a${ch}b ІЅ ${ch}`), `a${ch}b IS ${ch}`);
  });

  it("normalises Arabic sentences written with Latin neighbours letter for letter", () => {
    assert.equal(normalizeText("الدولة Dаbіq الإسلامية"), "الدوله dabiq الاسلاميه");
  });
});
