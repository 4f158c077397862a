/**
 * Top-level domains that make a bare `name.tld` in free text a link worth extracting.
 * Every country code is here, and the generic TLDs that links in the field actually use;
 * the full IANA list (1,400+ names, many of them English words like `.how` or `.one`)
 * would turn ordinary sentences without a space after the full stop into links.
 * With a scheme or `www.`, any TLD is accepted; only bare domains consult this list.
 */

const COUNTRY_CODES =
  "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo bq br bs bt bw by bz " +
  "ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu " +
  "fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu " +
  "id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly " +
  "ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om " +
  "pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz " +
  "tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw";

const GENERIC =
  "com net org info biz name pro edu gov mil int mobi asia tel travel aero coop museum jobs cat post " +
  "xyz top site online club app dev shop store tech blog news live life world space website link click page cloud " +
  "art wiki media video email network zone icu vip win bid work fun ltd group agency digital global social chat " +
  "press host center studio tube download stream ninja guru today one";

/** Known TLDs, lower case. */
export const KNOWN_TLDS: ReadonlySet<string> = new Set(`${COUNTRY_CODES} ${GENERIC}`.split(" "));

/**
 * Country codes that are also common file extensions (`setup.py`, `README.md`, `run.sh`,
 * `main.rs`, `lib.so`, `main.cc`, `Foo.pm`): a bare `name.tld` with one of these is taken
 * for a link only when a path follows (`tiny.cc/abc`).
 */
export const FILE_LIKE_TLDS: ReadonlySet<string> = new Set(["py", "md", "sh", "rs", "so", "cc", "pm"]);
