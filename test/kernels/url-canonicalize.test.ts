import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isRasdError, type ErrorCode } from "../../src/core/errors.js";
import { MAX_URL_LENGTH, canonicalizeUrl } from "../../src/kernels/url/index.js";

/** [name, input, expected canonical] */
type Case = readonly [string, string, string];

function table(title: string, cases: readonly Case[]): void {
  describe(title, () => {
    for (const [name, input, expected] of cases) {
      it(name, () => {
        const got = canonicalizeUrl(input).canonical;
        assert.equal(got, expected, `input ${JSON.stringify(input)}`);
        assert.equal(canonicalizeUrl(got).canonical, got, "canonicalising the canonical form changes it");
      });
    }
  });
}

table("canonicalizeUrl: scheme", [
  ["http and https give one key (no scheme in the key)", "https://example.com/a", "example.com/a"],
  ["plain http", "http://example.com/a", "example.com/a"],
  ["upper-case scheme", "HTTPS://example.com/a", "example.com/a"],
  ["no scheme means http", "example.com/a", "example.com/a"],
  ["protocol-relative", "//example.com/a", "example.com/a"],
  ["scheme without slashes", "http:example.com/a", "example.com/a"],
  ["scheme with one slash", "https:/example.com/a", "example.com/a"],
  ["host with an empty port is not a scheme", "example.com:/a", "example.com/a"],
  ["backslashes after the scheme", "https:\\\\example.com\\a\\b", "example.com/a/b"],
  ["ftp keeps its scheme", "ftp://files.example.org/pub/x.zip", "ftp://files.example.org/pub/x.zip"],
  ["ftp default port dropped", "ftp://files.example.org:21/x", "ftp://files.example.org/x"],
  ["ftp keeps port 80", "ftp://files.example.org:80/x", "ftp://files.example.org:80/x"],
  ["host:port is not a scheme", "example.com:8080/a", "example.com:8080/a"],
  ["user info dropped", "http://user:secret@example.com/a", "example.com/a"],
  ["user-info trick keeps the real host", "http://google.com@evil.example/a", "evil.example/a"],
  ["angle brackets around a URL", "<https://example.com/a>", "example.com/a"],
  ["surrounding white space", " \t https://example.com/a \n", "example.com/a"],
]);

table("canonicalizeUrl: host", [
  ["lower case", "http://ExAmPlE.COM/A", "example.com/A"],
  ["trailing dot", "http://example.com./a", "example.com/a"],
  ["www. removed", "http://www.example.com/a", "example.com/a"],
  ["repeated www. removed", "http://www.www.example.com/a", "example.com/a"],
  ["www. kept when only a TLD would remain", "http://www.com/a", "www.com/a"],
  ["m. is kept in general (not always the same site)", "http://m.example.com/a", "m.example.com/a"],
  ["other subdomains kept", "http://news.example.com/a", "news.example.com/a"],
  ["underscore in a label (blogs use them)", "http://my_blog.blogspot.com/", "my_blog.blogspot.com/"],
  ["Unicode host to punycode", "http://пример.рф/путь", "xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C"],
  ["punycode host stays", "http://xn--e1afmkfd.xn--p1ai/", "xn--e1afmkfd.xn--p1ai/"],
  ["Arabic IDN", "http://موقع.وزارة-الاتصالات.مصر/", "xn--4gbrim.xn----ymcbaaajlc6dj7bxne2c.xn--wgbh1c/"],
  ["full-width host (NFKC)", "http://ｅｘａｍｐｌｅ．ｃｏｍ/a", "example.com/a"],
  ["full-width host and path separator", "ｅｘａｍｐｌｅ．ｃｏｍ／ａ", "example.com/a"],
  ["ideographic full stop", "http://example。com/a", "example.com/a"],
  ["Arabic-Indic digits in a Latin label", "http://site٣.com/a", "site3.com/a"],
  ["Persian digits in an all-digit label", "http://۱۲۳.com/a", "123.com/a"],
  ["Arabic-Indic digits kept in an Arabic label", "http://موقع٣.com/", "xn--4gbrim1l.com/"],
  ["IPv4", "http://192.168.0.1/a", "192.168.0.1/a"],
  ["IPv4 in hex and short forms (as browsers read it)", "http://0x7f.1/a", "127.0.0.1/a"],
  ["IPv4 as one number", "http://2130706433/", "127.0.0.1/"],
  ["IPv6", "http://[2001:DB8::1]/a", "[2001:db8::1]/a"],
  ["IPv6 with port", "http://[::1]:8080/a", "[::1]:8080/a"],
  ["zero-width and bidi marks removed", "https://exa\u200Bmple.com/\u200Fa\u202E", "example.com/a"],
]);

table("canonicalizeUrl: port", [
  ["http :80 dropped", "http://example.com:80/a", "example.com/a"],
  ["https :443 dropped", "https://example.com:443/a", "example.com/a"],
  ["https :80 dropped too (scheme is not kept)", "https://example.com:80/a", "example.com/a"],
  ["http :443 dropped too", "http://example.com:443/a", "example.com/a"],
  ["other ports kept", "http://example.com:8080/a", "example.com:8080/a"],
  ["empty port", "http://example.com:/a", "example.com/a"],
  ["leading zeros in a port", "http://example.com:0080/a", "example.com/a"],
]);

table("canonicalizeUrl: path", [
  ["root is /", "http://example.com", "example.com/"],
  ["root slash", "http://example.com/", "example.com/"],
  ["trailing slash removed", "http://example.com/a/b/", "example.com/a/b"],
  ["several trailing slashes removed", "http://example.com/a//", "example.com/a"],
  ["inner double slash kept", "http://example.com/a//b", "example.com/a//b"],
  ["dot segments resolved", "http://example.com/a/./b/../c", "example.com/a/c"],
  ["encoded dot segments resolved", "http://example.com/a/%2e%2E/c", "example.com/c"],
  [
    "dot segment after a dot-led segment (Node 20's parser keeps it)",
    "http://example.com/s/.e/../y",
    "example.com/s/y",
  ],
  ["dot segments that climb above the root", "http://example.com/../../a", "example.com/a"],
  ["case of the path kept", "http://example.com/ABC/def", "example.com/ABC/def"],
  ["index files are not removed", "http://example.com/index.html", "example.com/index.html"],
  ["query on the root", "http://example.com?a=1", "example.com/?a=1"],
]);

table("canonicalizeUrl: percent-encoding", [
  ["unreserved escapes decoded", "http://example.com/%7Euser/%41%62%2D%5F%2E", "example.com/~user/Ab-_."],
  ["reserved escapes kept, hex upper-cased", "http://example.com/a%2fb%3fc", "example.com/a%2Fb%3Fc"],
  ["raw non-ASCII encoded as UTF-8", "http://example.com/café", "example.com/caf%C3%A9"],
  ["lower-case escapes of non-ASCII", "http://example.com/caf%c3%a9", "example.com/caf%C3%A9"],
  ["decomposed é (NFD) composed", "http://example.com/cafe%CC%81", "example.com/caf%C3%A9"],
  ["raw decomposed é composed", "http://example.com/cafe\u0301", "example.com/caf%C3%A9"],
  ["Arabic path raw and encoded agree", "http://example.com/مقال", "example.com/%D9%85%D9%82%D8%A7%D9%84"],
  ["Arabic path pre-encoded", "http://example.com/%d9%85%d9%82%d8%a7%d9%84", "example.com/%D9%85%D9%82%D8%A7%D9%84"],
  ["space", "http://example.com/a b", "example.com/a%20b"],
  ["characters not allowed raw are escaped", "http://example.com/a|b^c", "example.com/a%7Cb%5Ec"],
  ["a lone % becomes %25", "http://example.com/100%", "example.com/100%25"],
  ["invalid escape %zz", "http://example.com/%zz", "example.com/%25zz"],
  ["invalid UTF-8 escapes kept", "http://example.com/%ff%41", "example.com/%FFA"],
  ["escapes in query names and values", "http://example.com/?%61=%7e%2F", "example.com/?a=~%2F"],
  ["+ and %20 stay distinct in a query", "http://example.com/?q=a+b&r=a%20b", "example.com/?q=a+b&r=a%20b"],
  ["apostrophe in a query", "http://example.com/?q='x'", "example.com/?q=%27x%27"],
]);

table("canonicalizeUrl: query and tracking parameters", [
  ["sorted by name", "http://example.com/?b=2&a=1&c=3", "example.com/?a=1&b=2&c=3"],
  ["values of a repeated name keep their order", "http://example.com/?a=2&b=1&a=1", "example.com/?a=2&a=1&b=1"],
  ["utm_* removed", "http://example.com/a?utm_source=tw&utm_medium=social&utm_campaign=x&id=7", "example.com/a?id=7"],
  ["UTM_ in upper case removed", "http://example.com/a?UTM_Source=tw&id=7", "example.com/a?id=7"],
  ["fbclid removed", "http://example.com/a?fbclid=IwAR0abc", "example.com/a"],
  ["gclid removed", "http://example.com/a?gclid=EAIa&x=1", "example.com/a?x=1"],
  ["igshid removed", "https://www.instagram.com/p/Cabc/?igshid=MzRl", "instagram.com/p/Cabc"],
  ["mc_cid and mc_eid removed", "http://example.com/a?mc_cid=1&mc_eid=2", "example.com/a"],
  ["ref_src removed", "https://example.com/a?ref_src=twsrc%5Etfw", "example.com/a"],
  ["dlvrit removed", "http://example.com/a?dlvrit=123", "example.com/a"],
  [
    "generic names kept elsewhere (s, t, ref, feature)",
    "http://example.com/a?s=1&t=2&ref=3&feature=4",
    "example.com/a?feature=4&ref=3&s=1&t=2",
  ],
  ["empty query removed", "http://example.com/a?", "example.com/a"],
  ["empty pieces removed", "http://example.com/a?&&x=1&", "example.com/a?x=1"],
  ["a name without = kept as written", "http://example.com/a?flag&x=", "example.com/a?flag&x="],
  [
    "encoded & inside a value stays one value",
    "https://www.youtube.com/watch?v=UgjnKYgfxR4%26feature=youtu.be",
    "youtube.com/watch?v=UgjnKYgfxR4%26feature=youtu.be",
  ],
]);

table("canonicalizeUrl: fragment", [
  ["fragment dropped", "http://example.com/a#section", "example.com/a"],
  [
    "share-tracking fragment dropped",
    "http://www.rt.com/usa/328136-drone/#.Vo4cw42htZw.twitter",
    "rt.com/usa/328136-drone",
  ],
  ["empty fragment dropped", "http://example.com/a#", "example.com/a"],
  ["hash route kept", "https://example.com/app/#/items/42?x=1", "example.com/app#/items/42?x=1"],
  [
    "hash-bang route kept",
    "http://www.levantinegroup.com/#!saudi-arabia-security-alerts/cy9i",
    "levantinegroup.com/#!saudi-arabia-security-alerts/cy9i",
  ],
]);

table("canonicalizeUrl: aliases and platform rules", [
  ["twitter.com → x.com", "https://twitter.com/search?q=abc", "x.com/search?q=abc"],
  ["mobile.twitter.com", "https://mobile.twitter.com/account/suspended", "x.com/account/suspended"],
  [
    "status without user name or parameters",
    "https://twitter.com/CNN/status/637980628089225216?s=20&t=abc",
    "x.com/i/status/637980628089225216",
  ],
  [
    "status photo suffix",
    "https://twitter.com/CNN/status/637980628089225216/photo/1",
    "x.com/i/status/637980628089225216",
  ],
  ["statuses (old form)", "http://twitter.com/CNN/statuses/1234", "x.com/i/status/1234"],
  ["i/web/status", "https://x.com/i/web/status/1234", "x.com/i/status/1234"],
  ["hash-bang Twitter URL", "http://twitter.com/#!/CNN/status/1234", "x.com/i/status/1234"],
  ["hash-bang Twitter profile", "http://twitter.com/#!/Charles_Lister", "x.com/charles_lister"],
  ["user names lower-cased", "https://twitter.com/Charles_Lister", "x.com/charles_lister"],
  ["share parameters s, t dropped on X", "https://x.com/Someone/media?s=09&t=x", "x.com/someone/media"],
  [
    "x.com parameters that matter kept",
    "https://x.com/search?q=Abc&f=live&src=typed_query",
    "x.com/search?f=live&q=Abc",
  ],
  ["youtu.be → watch", "https://youtu.be/dQw4w9WgXcQ", "youtube.com/watch?v=dQw4w9WgXcQ"],
  ["youtu.be share parameters dropped", "https://youtu.be/dQw4w9WgXcQ?si=Abc&t=42", "youtube.com/watch?v=dQw4w9WgXcQ"],
  [
    "watch keeps only v",
    "https://www.youtube.com/watch?feature=youtu.be&v=-eJYuFJpYEs&app=desktop",
    "youtube.com/watch?v=-eJYuFJpYEs",
  ],
  [
    "watch: list and t dropped too",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PL1&t=5s",
    "youtube.com/watch?v=dQw4w9WgXcQ",
  ],
  ["m.youtube.com", "https://m.youtube.com/watch?v=dQw4w9WgXcQ", "youtube.com/watch?v=dQw4w9WgXcQ"],
  ["shorts", "https://youtube.com/shorts/dQw4w9WgXcQ?feature=share", "youtube.com/watch?v=dQw4w9WgXcQ"],
  ["embed", "https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0", "youtube.com/watch?v=dQw4w9WgXcQ"],
  ["youtube-nocookie embed", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "youtube.com/watch?v=dQw4w9WgXcQ"],
  [
    "a playlist embed is not a video",
    "https://www.youtube.com/embed/videoseries?list=PL1",
    "youtube.com/embed/videoseries?list=PL1",
  ],
  [
    "channel page: share parameters dropped",
    "https://www.youtube.com/@SomeChannel/videos?si=x&view=0",
    "youtube.com/@SomeChannel/videos?view=0",
  ],
  ["telegram.me → t.me", "https://telegram.me/SomeChannel", "t.me/somechannel"],
  ["telegram.dog → t.me", "https://telegram.dog/SomeChannel/12", "t.me/somechannel/12"],
  ["t.me web preview", "https://t.me/s/SomeChannel/12", "t.me/somechannel/12"],
  ["t.me invite hash keeps its case", "https://t.me/+AbCdEfGh", "t.me/+AbCdEfGh"],
  ["t.me joinchat hash keeps its case", "https://t.me/joinchat/AbCdEfGh", "t.me/joinchat/AbCdEfGh"],
  ["m.facebook.com → facebook.com", "https://m.facebook.com/SomePage/posts/123", "facebook.com/SomePage/posts/123"],
  [
    "facebook referral parameters dropped",
    "https://web.facebook.com/story.php?story_fbid=1&id=2&__tn__=K-R&refid=7&__cft__[0]=AZ&_rdr",
    "facebook.com/story.php?id=2&story_fbid=1",
  ],
]);

table("canonicalizeUrl: defanged forms", [
  ["hxxp", "hxxp://example.com/a", "example.com/a"],
  ["hxxps", "hxxps://example.com/a", "example.com/a"],
  ["hXXps", "hXXps://example.com/a", "example.com/a"],
  ["h**p", "h**p://example.com/a", "example.com/a"],
  ["h__p", "h__ps://example.com/a", "example.com/a"],
  ["hxtp", "hxtp://example.com/a", "example.com/a"],
  ["h[tt]p", "h[tt]ps://example.com/a", "example.com/a"],
  ["http[s]", "http[s]://example.com/a", "example.com/a"],
  ["fxp", "fxp://files.example.org/a", "ftp://files.example.org/a"],
  ["[.]", "http://example[.]com/a", "example.com/a"],
  ["(.)", "http://example(.)com/a", "example.com/a"],
  ["{.}", "http://example{.}com/a", "example.com/a"],
  ["[dot]", "http://example[dot]com/a", "example.com/a"],
  ["(DOT)", "http://example(DOT)com/a", "example.com/a"],
  ["spaced [ . ]", "http://example [ . ] com/a", "example.com/a"],
  ["spelled-out dot in the host", "example dot com/a", "example.com/a"],
  ["spelled-out DOT, several labels", "news DOT example DOT co DOT uk", "news.example.co.uk/"],
  ["backslash-escaped dot", "http://example\\.com/a", "example.com/a"],
  ["[:]", "https[:]//example.com/a", "example.com/a"],
  ["[://]", "https[://]example.com/a", "example.com/a"],
  ["(:)", "hxxp(:)//example.com/a", "example.com/a"],
  ["[/]", "hxxp://example[.]com[/]a[/]b", "example.com/a/b"],
  ["everything at once", "hxxps[:]//www[.]bit[.]ly[/]abc", "bit.ly/abc"],
  ["defanged dot in a path (file names)", "hxxp://evil[.]example/payload[.]exe", "evil.example/payload.exe"],
  [
    "defanged URL inside the query",
    "hxxps://example[.]com/r?u=hxxp://other[.]org/x",
    "example.com/r?u=http://other.org/x",
  ],
  [
    "parentheses in a normal path untouched",
    "https://en.wikipedia.org/wiki/Dot_(band)",
    "en.wikipedia.org/wiki/Dot_(band)",
  ],
  ["x in a normal host untouched", "https://hxxp.example.com/a", "hxxp.example.com/a"],
]);

describe("canonicalizeUrl: flags", () => {
  it("marks defanged input", () => {
    assert.equal(canonicalizeUrl("hxxps://example[.]com").defanged, true);
    assert.equal(canonicalizeUrl("https://example.com").defanged, false);
  });
  it("marks hosts that mix scripts, not single-script IDNs", () => {
    const cases: [string, boolean][] = [
      ["http://аpple.com/", true], // Cyrillic а + Latin
      ["http://pаypal.com/", true],
      ["http://xn--pple-43d.com/", true], // the same, already punycode
      ["http://gοοgle.com/", true], // Greek omicrons
      ["http://пример.рф/", false],
      ["http://пример.com/", false], // labels differ, each is single-script
      ["http://аррӏе.com/", false], // whole-script lookalike: not detected (documented)
      ["http://例え.テスト/", false], // Japanese Han + Hiragana + Katakana
      ["http://한국어.kr/", false],
      ["http://موقع.com/", false],
      ["http://example.com/", false],
    ];
    for (const [input, mixed] of cases) assert.equal(canonicalizeUrl(input).mixedScriptHost, mixed, input);
  });
  it("reports host, Unicode host, scheme and port", () => {
    const r = canonicalizeUrl("https://WWW.Пример.рф:8443/x");
    assert.equal(r.host, "xn--e1afmkfd.xn--p1ai");
    assert.equal(r.unicodeHost, "пример.рф");
    assert.equal(r.scheme, "https");
    assert.equal(r.port, "8443");
    assert.equal(canonicalizeUrl("example.com").scheme, "http");
    assert.equal(canonicalizeUrl("fxp://example.com").scheme, "ftp");
  });
  it("flags shorteners, including subdomains, but not canonicalised aliases", () => {
    assert.equal(canonicalizeUrl("https://bit.ly/abc").isShortener, true);
    assert.equal(canonicalizeUrl("http://t.co/jcviGUdedv").isShortener, true);
    assert.equal(canonicalizeUrl("https://maps.app.goo.gl/abc").isShortener, true);
    assert.equal(canonicalizeUrl("https://youtu.be/dQw4w9WgXcQ").isShortener, false);
    assert.equal(canonicalizeUrl("https://t.me/abcd").isShortener, false);
    assert.equal(canonicalizeUrl("https://example.com/").isShortener, false);
  });
});

describe("canonicalizeUrl: properties on random URL-like strings", () => {
  // URL fragments glued in random order by a seeded generator, so that a failure reproduces.
  const pieces = [
    ...["http", "hxxp", "://", ":", "/", "//", "\\", ".", "[.]", "(dot)", "www.", "example", "com", "t.me"],
    ...["youtu.be", "twitter.com", "/status/", "123", "?", "&", "=", "#", "#!", "%", "%2e", "%41", "%c3%a9"],
    ...["%zz", "é", "مقال", "١٢", "ｅ", "．", "@", "[", "]", "(", ")", "+", " ", "utm_source", "v", "watch", "~"],
    ...["'", '"', "|", "fxp", "xn--", "-", ":80", ":8080", "\u0301", "/../", "\u200F", "ß", "ﷺ", "。", "%2F"],
    ...["%78", "%64ot", "h", "p", "x", "%5F", "*", "{", "}", "dot", "%3A", "%2f%2f", "/./", ".."],
  ];
  const starts = ["https://example.com/", "t.me/", "https://twitter.com/", "youtu.be/", "hxxp://a[.]b/", "", "a.b/?u="];
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.floor((seed / 2 ** 32) * n);
  };
  const inputs = Array.from({ length: 20_000 }, () => {
    let s = starts[rand(starts.length)]!;
    for (let k = rand(12); k >= 0; k--) s += pieces[rand(pieces.length)]!;
    return s;
  });

  it("throws only RasdError, returns printable ASCII, and is idempotent", () => {
    let valid = 0;
    for (const input of inputs) {
      let canonical: string;
      try {
        canonical = canonicalizeUrl(input).canonical;
      } catch (e) {
        if (!isRasdError(e)) throw e;
        continue;
      }
      valid++;
      assert.match(canonical, /^[\x21-\x7e]+$/, JSON.stringify(input));
      assert.equal(canonicalizeUrl(canonical).canonical, canonical, JSON.stringify(input));
    }
    assert.ok(valid > 10_000, `only ${valid} valid inputs`);
  });
});

describe("canonicalizeUrl: refuses what is not a URL, with one precise line", () => {
  const bad: [string, string, ErrorCode, RegExp][] = [
    ["empty", "", "url.invalid", /^URL is empty$/],
    ["only white space", " \n\t ", "url.invalid", /^URL is empty$/],
    ["only invisible marks", "\u200F\u200E", "url.invalid", /^URL is empty$/],
    [
      "too long",
      `http://example.com/${"a".repeat(MAX_URL_LENGTH)}`,
      "url.too_long",
      /^URL is 8211 characters long; the limit is 8192$/,
    ],
    ["NUL inside", "http://exa\u0000mple.com/", "url.invalid", /^URL contains control character U\+0000 at offset 10$/],
    ["newline inside", "http://example.com/a\nb", "url.invalid", /control character U\+000A at offset 20/],
    ["DEL", "http://example.com/\u007F", "url.invalid", /control character U\+007F/],
    ["C1 control", "http://example.com/\u0085", "url.invalid", /control character U\+0085/],
    [
      "unpaired high surrogate",
      "http://example.com/\uD800",
      "url.invalid",
      /^URL has an unpaired UTF-16 surrogate at offset 19$/,
    ],
    ["unpaired low surrogate", "http://example.com/\uDC00x", "url.invalid", /unpaired UTF-16 surrogate at offset 19/],
    ["javascript:", "javascript:alert(1)", "url.unsupported_scheme", /^scheme "javascript" is not supported/],
    ["data:", "data:text/html,<script>", "url.unsupported_scheme", /scheme "data"/],
    ["mailto:", "mailto:someone@example.com", "url.unsupported_scheme", /scheme "mailto"/],
    ["ws://", "ws://example.com/", "url.unsupported_scheme", /scheme "ws"/],
    [
      "JavaScript:// in mixed case",
      "JavaScript://example.com/%0Aalert(1)",
      "url.unsupported_scheme",
      /scheme "javascript"/,
    ],
    ["file://", "file:///etc/passwd", "url.unsupported_scheme", /scheme "file"/],
    ["no host", "http:///path", "url.invalid", /^no host in "http:\/\/\/path"$/],
    ["scheme only", "https://", "url.invalid", /^no host in/],
    ["a word", "hello", "url.invalid", /^no scheme and no dot in the host of "hello"$/],
    ["a number", "12345", "url.invalid", /no scheme and no dot/],
    ["single-label host with scheme", "http://localhost/", "url.invalid", /^host "localhost" has no dot/],
    ["empty label", "http://a..example.com/", "url.invalid", /has an empty label/],
    ["leading dot", "http://.example.com/", "url.invalid", /has an empty label/],
    ["label over 63", `http://${"a".repeat(64)}.com/`, "url.invalid", /label longer than 63/],
    ["host over 253", `http://${"abcdefgh.".repeat(30)}com/`, "url.invalid", /longer than 253/],
    ["space in host", "http://exa mple.com/", "url.invalid", /^not a valid URL/],
    ["bad port", "http://example.com:99999/", "url.invalid", /^not a valid URL/],
    ["port not a number", "http://example.com:abc/", "url.invalid", /^not a valid URL/],
    ["forbidden host character", "http://exa<mple.com/", "url.invalid", /^not a valid URL/],
    ["bad IPv6", "http://[::1::2]/", "url.invalid", /^not a valid URL/],
    ["Arabic and Latin in one label (IDNA bidi rule)", "http://موقعabc.com/", "url.invalid", /^not a valid URL/],
    ["invalid punycode", "http://xn--a.com/", "url.invalid", /^not a valid URL/],
  ];
  for (const [name, input, code, message] of bad) {
    it(name, () => {
      assert.throws(
        () => canonicalizeUrl(input),
        (e: unknown) => isRasdError(e) && e.code === code && message.test(e.message) && !e.message.includes("\n"),
      );
    });
  }

  it("quotes hostile input escaped and shortened in messages", () => {
    const input = `http://${"\u202E".repeat(2)}exa mple.com/${"x".repeat(500)}`;
    assert.throws(
      () => canonicalizeUrl(input),
      (e: unknown) => isRasdError(e) && e.message.length < 200 && e.message.includes("…"),
    );
  });

  it("refuses a non-string at run time", () => {
    assert.throws(
      () => canonicalizeUrl(42 as unknown as string),
      (e: unknown) => isRasdError(e),
    );
  });

  it("stays fast on pathological input within the length limit", () => {
    const inputs = [
      `http://example.com/${"%".repeat(8000)}`,
      `http://example.com/${"%e2%82".repeat(1300)}`,
      `http://example.com/?${"a=1&".repeat(2000)}`,
      `http://example.com/${"[.]".repeat(2700)}`,
      `${"a.".repeat(100)}com/${"é".repeat(3000)}`,
    ];
    const t0 = performance.now();
    for (const input of inputs) {
      try {
        canonicalizeUrl(input);
      } catch (e) {
        if (!isRasdError(e)) throw e;
      }
    }
    assert.ok(performance.now() - t0 < 500, `took ${performance.now() - t0} ms`);
  });
});
