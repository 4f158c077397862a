/** The web app's account helpers (web/src/lib/accounts.ts): records, defanged links, the avatar hash's bits. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defang, evidenceByKind, parseAccount, passes, pdqBits, pdqDistance } from "../../web/src/lib/accounts.js";

describe("web: accounts", () => {
  it("reads an account from a signal's value and refuses what is not one", () => {
    const a = parseAccount(
      JSON.stringify({
        platform: "twitter",
        handle: "GunsandCoffee70",
        bio: "ترجمات",
        avatar_pdq: "AB".repeat(32),
        links: ["justpaste.it/x"],
        mentions: [],
        reason: ["glorification"],
      }),
    );
    assert.deepEqual(a, {
      platform: "twitter",
      handle: "GunsandCoffee70",
      bio: "ترجمات",
      avatar_pdq: "ab".repeat(32),
      links: ["justpaste.it/x"],
      reason: ["glorification"],
    });
    assert.equal(parseAccount("{not json"), undefined);
    assert.equal(parseAccount(JSON.stringify({ platform: "twitter" })), undefined);
    assert.equal(parseAccount(JSON.stringify(["twitter", "x"])), undefined);
    assert.equal(parseAccount({ platform: "x", handle: "y", avatar_pdq: "zz" })?.avatar_pdq, undefined);
  });

  it("defangs links: the scheme and every dot of the host, the path kept", () => {
    assert.equal(defang("https://justpaste.it/a.b/c"), "hxxps://justpaste[.]it/a.b/c");
    assert.equal(defang("HTTP://Example.COM"), "HXXP://Example[.]COM");
    assert.equal(defang("t.me/channel.name"), "t[.]me/channel.name");
    assert.equal(defang("archive.org?x=a.b"), "archive[.]org?x=a.b");
    assert.equal(defang("ftp://files.example.org/x"), "ftp://files[.]example[.]org/x");
  });

  it("draws a PDQ hash as 256 bits and counts the differing ones", () => {
    const a = "f".repeat(16) + "0".repeat(48);
    const bits = pdqBits(a);
    assert.equal(bits.length, 256);
    assert.equal(bits.filter(Boolean).length, 64);
    assert.equal(bits[0], true);
    assert.equal(bits[64], false);
    assert.equal(pdqDistance(a, a), 0);
    assert.equal(pdqDistance(a, "c" + "f".repeat(15) + "0".repeat(47) + "3"), 4);
    assert.throws(() => pdqBits("xyz"), /not a PDQ hash/);
  });

  it("keeps the strongest evidence per feature and compares a score with its threshold", () => {
    const m = evidenceByKind([
      { kind: "handle", strength: 2 },
      { kind: "handle", strength: 5, variant: "digits" },
      { kind: "bio", strength: 1 },
    ]);
    assert.equal(m.get("handle")?.variant, "digits");
    assert.equal(m.size, 2);
    assert.equal(passes(0.7, 0.7), true);
    assert.equal(passes(0.69, 0.7), false);
  });
});
