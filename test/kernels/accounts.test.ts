/** Ban-evasion kernels: handle skeletons, transliteration, scoring and the candidate index. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AccountIndex,
  accountFeatures,
  canonicalAccountJson,
  consonantKey,
  editDistance,
  handleForm,
  leetKey,
  lookalikeKey,
  nameForm,
  parseAccount,
  prepareAccount,
  scoreAccount,
  ACCOUNT_MODEL,
  sortedKey,
  strippedKey,
} from "../../src/kernels/accounts/index.js";

const base = { platform: "twitter", handle: "GunsandCoffee70", name: "GunsandCoffee" };

describe("handle skeletons", () => {
  it("digits, underscores, look-alikes and leet collapse to one key", () => {
    for (const h of ["GunsandCoffee_2", "gunsandcoffee2", "_GunsandCoffee", "GunsandCoffee77"])
      assert.equal(strippedKey(handleForm(h)), "gunsandcoffee", h);
    assert.equal(handleForm("@Gun_sAnd_Соffee_70"), "gunsandcoffee70"); // Cyrillic С, о
    assert.equal(leetKey(handleForm("Guns4ndC0ffee")), leetKey(handleForm("GunsandCoffee70")));
    assert.equal(leetKey(handleForm("GunsandCofee")), leetKey(handleForm("GunsandCoffee")));
  });

  it("Arabic and Latin spellings of a name share a consonant key", () => {
    assert.equal(consonantKey("أبو محمد"), consonantKey("Abu Muhammad"));
    assert.equal(consonantKey("المقدسي"), consonantKey("Al Maqdisi"));
    assert.notEqual(consonantKey("Abu Khalid"), consonantKey("Abu Muhammad"));
  });

  it("every digit read as a letter, even next to the handle's own digits (decision 0033)", () => {
    const key = (h: string) => lookalikeKey(handleForm(h));
    // A 4 for the a next to the trailing digits, and a Cyrillic і: leetKey drops "4252" first.
    assert.equal(key("Afriqqіy4_252"), key("Afriqqiya_252"));
    assert.notEqual(leetKey(handleForm("Afriqqіy4_252")), leetKey(handleForm("Afriqqiya_252")));
    assert.equal(key("Afriqqiya_252"), "afriqiyas");
    // A handle that is mostly digits: the s and a of "ks48a…" swapped for 5 and 4.
    assert.equal(key("k5484174031"), key("ks48a174031"));
    assert.equal(key("MhzBn7"), key("MhzBnt"));
    // Digits that mimic no letter are dropped, not read.
    assert.equal(key("name_2"), "name");
    assert.notEqual(key("GunsandRoses"), key("GunsandCoffee"));
  });

  it("two swapped letters keep the sorted letters (and a different name does not)", () => {
    const key = (h: string) => sortedKey(leetKey(handleForm(h)));
    assert.equal(key("DabiqwseetsMan"), key("DabiqsweetsMan"));
    assert.equal(key("baaiqya_01"), key("baaqiya_01"));
    assert.notEqual(key("DabiqsweetsMan"), key("DabiqsweetsMen"));
  });

  it("Arabic handles: hamza, Arabic-Indic digits and separators fold away", () => {
    for (const h of ["ابو_محمد", "أبو_محمد٢", "ابومحمد_2", "_ابو_محمد_"])
      assert.equal(strippedKey(handleForm(h)), "abwmhmd", h);
    // Harakat and shadda are not letters: the vowelled spelling meets the bare one and the Latin one.
    assert.equal(consonantKey("مُحَمَّد"), consonantKey("محمد"));
    assert.equal(consonantKey("مُحَمَّد"), consonantKey("Muhammad"));
    assert.equal(consonantKey("ابن تيمية"), consonantKey("Ibn Taymiyyah"));
    assert.notEqual(consonantKey("ابن تيمية"), consonantKey("Ibn Khaldun"));
  });

  it("edit distance counts a transposition as one edit and stops past the limit", () => {
    assert.equal(editDistance("gunsand", "gusnand"), 1);
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("abcdefgh", "zzzzzzzz", 2), 3);
  });
});

describe("scoring", () => {
  const score = (q: object) => scoreAccount(prepareAccount(parseAccount(q)), prepareAccount(parseAccount(base)));

  it("a digit-suffixed handle is strong evidence; an unrelated one is none", () => {
    const s = score({ platform: "twitter", handle: "GunsandCoffee_2" });
    assert.ok(s.score >= 0.8, String(s.score));
    assert.equal(s.evidence[0]!.kind, "handle");
    const unrelated = score({ platform: "twitter", handle: "GunsandRoses" });
    assert.ok(unrelated.score < 0.01, String(unrelated.score));
    assert.deepEqual(unrelated.evidence, []);
  });

  it("a kunya and a common name alone is weak (many people are Abu Tariq)", () => {
    const q = prepareAccount(parseAccount({ platform: "twitter", handle: "Abu_Tariq69" }));
    const c = prepareAccount(parseAccount({ platform: "twitter", handle: "abutariq040" }));
    assert.ok(scoreAccount(q, c).score < 0.8);
  });

  it("independent evidence adds up: a one-letter typo plus the same display name", () => {
    const typoOnly = score({ platform: "twitter", handle: "GusnandCoffee" }).score;
    const typoAndName = score({ platform: "twitter", handle: "GusnandCoffee", name: "GunsandCoffee" }).score;
    assert.ok(typoOnly < 0.8 && typoAndName >= 0.8, `${typoOnly} ${typoAndName}`);
  });

  it("the same platform id is proof whatever the handle", () => {
    const q = prepareAccount(parseAccount({ platform: "twitter", id: "7", handle: "zzz" }));
    const c = prepareAccount(parseAccount({ platform: "twitter", id: "7", handle: "abc" }));
    assert.equal(scoreAccount(q, c).score, 1);
  });
});

describe("account records", () => {
  it("canonical JSON is the same for equal records given in any order and form", () => {
    const a = canonicalAccountJson(parseAccount({ handle: "@x_y", platform: "Twitter", mentions: ["@B", "a"] }));
    const b = canonicalAccountJson(parseAccount({ platform: "twitter", mentions: ["a", "b"], handle: "x_y" }));
    assert.equal(a, b);
    assert.equal(a, '{"platform":"twitter","handle":"x_y","mentions":["a","b"]}');
  });

  it("bad fields are named", () => {
    assert.throws(() => parseAccount({ platform: "twitter" }), /handle is required/);
    assert.throws(() => parseAccount({ platform: "twitter", handle: "x", avatar_pdq: "zz" }), /avatar_pdq must be 64/);
    assert.throws(() => parseAccount({ platform: "twitter", handle: "x", colour: 1 }), /unknown field "colour"/);
    assert.throws(
      () => parseAccount({ platform: "twitter", handle: "x", created: "yesterday" }),
      /not an ISO 8601 date/,
    );
  });
});

describe("AccountIndex", () => {
  it("finds returns by each channel and forgets removed accounts", () => {
    const index = new AccountIndex();
    const avatar = "f".repeat(64);
    index.add(1, parseAccount({ ...base, bio: "ENGLISH TRANSLATIONS of the statements and releases, daily updates" }));
    index.add(
      2,
      parseAccount({
        platform: "twitter",
        handle: "someone_else",
        avatar_pdq: avatar,
        links: ["https://a.example/x", "https://b.example/y"],
      }),
    );
    for (let i = 0; i < 2000; i++)
      index.add(10 + i, parseAccount({ platform: "twitter", handle: `user${i}x${i * 7}` }));
    const ids = (q: object) => index.query(parseAccount(q), 0.7).map((h) => h.id);
    assert.deepEqual(ids({ platform: "twitter", handle: "Guns4ndC0ffee" }), [1]);
    assert.deepEqual(
      ids({
        platform: "twitter",
        handle: "newname",
        bio: "ENGLISH TRANSLATIONS of the statements and releases, new daily updates",
      }),
      [1],
    );
    const near = "0" + "f".repeat(63); // 4 bits off
    assert.deepEqual(ids({ platform: "twitter", handle: "qq", avatar_pdq: near, links: ["https://a.example/x"] }), [2]);
    index.remove(1);
    assert.deepEqual(ids({ platform: "twitter", handle: "Guns4ndC0ffee" }), []);
    assert.equal(index.size, 2001);
  });

  it("scores only the best-voted candidates, and keeps working through many removals", () => {
    const index = new AccountIndex();
    // 60 accounts share a name skeleton; one of them also shares the handle skeleton.
    for (let i = 0; i < 60; i++)
      index.add(i, parseAccount({ platform: "twitter", handle: `zz${i}qq${i}`, name: "Abu Khalid" }));
    index.add(100, parseAccount({ platform: "twitter", handle: "KhalidTheLion", name: "Abu Khalid" }));
    const q = prepareAccount(parseAccount({ platform: "twitter", handle: "Khalid_The_Lion_2", name: "Abu Khalid" }));
    const few = index.candidates(q, 3);
    assert.equal(few.length, 3);
    assert.ok(few.includes(100), String(few));
    assert.deepEqual(
      index
        .query(parseAccount({ platform: "twitter", handle: "Khalid_The_Lion_2", name: "Abu Khalid" }), 0.7)
        .map((h) => h.id),
      [100],
    );
    for (let round = 0; round < 30; round++)
      for (let i = 0; i < 60; i++) {
        index.remove(i);
        index.add(i, parseAccount({ platform: "twitter", handle: `zz${i}qq${i}r${round}`, name: "Abu Khalid" }));
      }
    assert.equal(index.size, 61);
    assert.deepEqual(index.candidates(q, 3).includes(100), true);
  });
});

describe("rarity in the bank (decision 0033)", () => {
  it("a skeleton one banked account holds scores higher than one many hold; the answer's shape is unchanged", () => {
    const lone = new AccountIndex();
    lone.add(1, parseAccount({ platform: "twitter", handle: "Mosul_05" }));
    const crowded = new AccountIndex();
    crowded.add(1, parseAccount({ platform: "twitter", handle: "Mosul_05" }));
    for (let i = 0; i < 15; i++) crowded.add(10 + i, parseAccount({ platform: "twitter", handle: `mosul${100 + i}` }));
    const q = parseAccount({ platform: "twitter", handle: "Mosul_2" });
    const a = lone.query(q, 0).find((h) => h.id === 1)!;
    const b = crowded.query(q, 0).find((h) => h.id === 1)!;
    assert.ok(a.score > b.score, `${a.score} ${b.score}`);
    assert.deepEqual(Object.keys(a).sort(), ["evidence", "id", "score"]);
    assert.deepEqual(Object.keys(a.evidence[0]!).sort(), [
      "kind",
      "matched",
      "query",
      "similarity",
      "strength",
      "variant",
    ]);
    assert.equal(a.evidence[0]!.kind, "handle");
    // "mosul2" reads as "mosui", "Mosul_05" as "mosuios": the look-alike key is not shared.
    assert.deepEqual(lone.holders(prepareAccount(q)), { form: 1, stripped: 1, leet: 1, lookalike: 0 });
    assert.equal(crowded.holders(prepareAccount(q)).stripped, 16);
  });

  it("a handle that is mostly digits matches its own return, which the letters alone could not", () => {
    const index = new AccountIndex();
    index.add(1, parseAccount({ platform: "twitter", handle: "06230550_IS" }));
    for (let i = 0; i < 50; i++) index.add(10 + i, parseAccount({ platform: "twitter", handle: `is_${i}x${i * 31}` }));
    const hit = index.query(parseAccount({ platform: "twitter", handle: "06230550_IS__" }), 0.5);
    assert.deepEqual(
      hit.map((h) => h.id),
      [1],
    );
    assert.equal(hit[0]!.evidence[0]!.kind, "handle");
  });

  it("with a filter (the banks a caller may see), neither candidates nor rarity come from other accounts", () => {
    const index = new AccountIndex();
    index.add(1, parseAccount({ platform: "twitter", handle: "Mosul_05" }));
    for (let i = 0; i < 3; i++) index.add(10 + i, parseAccount({ platform: "twitter", handle: `mosul_${i}` }));
    const q = parseAccount({ platform: "twitter", handle: "Mosul_2" });
    const onlyOne = (id: number) => id === 1;
    assert.equal(index.holders(prepareAccount(q), onlyOne).stripped, 1);
    assert.equal(index.holders(prepareAccount(q)).stripped, 4);
    const seen = index.query(q, 0, 16, onlyOne);
    assert.deepEqual(
      seen.map((h) => h.id),
      [1],
    );
    assert.ok(seen[0]!.score > index.query(q, 0).find((h) => h.id === 1)!.score);
  });

  it("a pair scored on its own (rarity unknown) scores no higher than through a one-holder index", () => {
    const c = parseAccount({ platform: "twitter", handle: "WarReporter1" });
    const q = parseAccount({ platform: "twitter", handle: "warreporter_2" });
    const alone = scoreAccount(prepareAccount(q), prepareAccount(c)).score;
    const index = new AccountIndex();
    index.add(1, c);
    assert.ok(index.query(q, 0)[0]!.score > alone);
  });
});

describe("the logistic model", () => {
  it("each evidence's strength is its log-odds contribution, and more evidence scores higher", () => {
    const c = prepareAccount(parseAccount(base));
    const handleOnly = scoreAccount(
      prepareAccount(parseAccount({ platform: "twitter", handle: "GunsandCoffee_2" })),
      c,
    );
    const withName = scoreAccount(
      prepareAccount(parseAccount({ platform: "twitter", handle: "GunsandCoffee_2", name: "GunsandCoffee" })),
      c,
    );
    assert.ok(withName.score > handleOnly.score);
    const h = handleOnly.evidence[0]!;
    assert.equal(h.kind, "handle");
    // bias + handle strength = log-odds of the score
    const logOdds = Math.log(handleOnly.score / (1 - handleOnly.score));
    assert.ok(Math.abs(ACCOUNT_MODEL.bias + h.strength - logOdds) < 0.01, `${h.strength} ${logOdds}`);
  });
});

describe("handle normalisation and what the handles share (decision 0040)", () => {
  const prep = (handle: string, extra: object = {}) =>
    prepareAccount(parseAccount({ platform: "twitter", handle, ...extra }));

  it("digit and letter swaps meet: abu_omar2 / abu0mar_2", () => {
    const a = prep("abu_omar2");
    const b = prep("abu0mar_2");
    assert.equal(a.form, "abuomar2");
    assert.equal(b.form, "abu0mar2");
    assert.equal(a.leet, b.leet);
    const h = scoreAccount(b, a).evidence.find((e) => e.kind === "handle");
    assert.ok(h && h.kind === "handle" && h.variant === "look-alike", JSON.stringify(h));
  });

  it("every Cyrillic or Greek look-alike in a handle is folded, even with no Latin letter beside it", () => {
    // A Cyrillic і next to digits only: prose folding asks for a Latin context, a handle does not.
    assert.equal(handleForm("06230550_і5"), "06230550i5");
    assert.equal(lookalikeKey(handleForm("06230550_і5")), lookalikeKey(handleForm("06230550_IS")));
    assert.equal(handleForm("Ευрlс24"), "euplc24"); // Greek Ε υ (υ reads as u), Cyrillic р с
    assert.equal(handleForm("ΑΒU_ΟΜΑR"), "abuomar"); // Greek capitals only
    assert.equal(handleForm("Dаbіq"), "dabiq");
    // A display name is prose: a Russian name is left Russian (and drops out of the Latin form).
    assert.equal(nameForm("Иван Петров"), "");
    assert.equal(nameForm("Dаbіq"), "dabiq");
  });

  it("Arabic-Indic digits are digits", () => {
    for (const h of ["abu_omar٢", "abu_omar۲", "ابو_عمر٢"]) assert.match(handleForm(h), /2$/, h);
    assert.equal(handleForm("abu_omar٢"), handleForm("abu_omar2"));
    assert.equal(handleForm("٠٦٢٣٠٥٥٠_IS"), handleForm("06230550_IS"));
  });

  it("the handles' shared part counts its digits: the same form, or digits read as letters", () => {
    const length = (q: string, c: string) => accountFeatures(prep(q), prep(c)).features[1]!;
    // Only the letters "abutariq" (after the kunya: "tariq", 5) against all of "abutariqoao".
    assert.ok(length("abu74riq040", "abutariq040") > length("abutariq99", "abutariq040"));
    // "r0347h" and "ro34th" share "roeath" (6), where the letters alone are "roth" (4).
    assert.ok(length("r0347h", "ro34th") > length("roth_2", "ro34th"));
    // The same handle with its digits ("_1515Ummah") is more than its letters ("ummah", a kunya's "umm").
    assert.equal(length("_1515Ummah", "1515Ummah"), 1);
    const s = scoreAccount(prep("_1515Ummah"), prep("1515Ummah"));
    assert.ok(s.score >= 0.8, String(s.score));
    // Two letters changed is still not a match.
    assert.ok(scoreAccount(prep("abutabiq040"), prep("abutariq040")).score < 0.8);
  });

  it("a short bio with a word added is found and matches (its MinHash bands as well as its normal form)", () => {
    const index = new AccountIndex();
    index.add(1, parseAccount({ platform: "twitter", handle: "GunsandCoffee70", bio: "ENGLISH TRANSLATIONS" }));
    for (let i = 0; i < 500; i++) index.add(10 + i, parseAccount({ platform: "twitter", handle: `u${i}x${i * 7}` }));
    const hits = index.query(
      parseAccount({ platform: "twitter", handle: "meryor47", bio: "back ENGLISH TRANSLATIONS" }),
      0.8,
    );
    assert.deepEqual(
      hits.map((h) => h.id),
      [1],
    );
    assert.equal(hits[0]!.evidence[0]!.kind, "bio");
  });
});
