/**
 * HMA-compatible routes: the REST API of Meta's Hasher-Matcher-Actioner (OpenMediaMatch),
 * so that its clients work against rasd unchanged — /h (hashing), /m (matching) and /c
 * (curation), with HMA's request and response shapes and its `{"message": ...}` errors.
 * Authentication, roles and TLP sharing are rasd's: a bearer key on every call, and a
 * caller sees and matches only the banks it may see.
 *
 * How HMA's model maps onto rasd's:
 * - An HMA bank is a rasd bank. The caller's own banks keep their names; another member's bank
 *   is `<ORGANISATION>__<NAME>` (hma/common.ts), so two members' banks of one name never merge
 *   under one key in `/c/banks` or `/m/lookup`. Only the organisation's own banks can be
 *   changed. A bank the caller may not see answers exactly as a bank that does not exist (404,
 *   or "Done" for DELETE, which HMA answers so for a missing bank).
 * - HMA content is one item with all its signals (services/hma-contents.ts, decision 0020): a
 *   video's `video_md5` and `vpdq` are added, disabled and deleted together; each add is a new
 *   content. A signal stays active while some enabled content holds it and is retracted (a
 *   tombstone, so that mirrors learn of it) once none does.
 * - `disable_until_ts` is 1 (enabled), 0 (disabled) or a Unix time: disabled until then, after
 *   which a sweep enables the content again. Content `metadata` is kept as HMA's shape.
 * - A content's `note` is kept with the content (services/hma-contents.ts).
 * - Stored values are rasd's canonical forms: a vpdq value keeps 3 decimals per timestamp
 *   ("hash,quality,1.000"), where /h/hash writes HMA's "1.0"; both parse the same.
 * - Signal types: pdq, video_md5 and vpdq (what /h/hash computes: photo → pdq; video →
 *   video_md5 and vpdq), and md5, sha256, url and text, which rasd also matches (url
 *   lookups also find rasd's domain signals). An organisation sets a type's enabled ratio with
 *   PUT /c/signal_type/<name> (0 turns it off for its hashing and lookups); GET
 *   /c/content_type lists photo and video, always enabled.
 * - POST /c/banks makes an AMBER+STRICT bank in the caller's organisation; a `tlp` field
 *   (CLEAR, GREEN, AMBER or AMBER+STRICT) is a rasd extension.
 * - A bank's `matching_enabled_ratio` is rasd's `enabledRatio`, with HMA's coin flip
 *   (Python's `random.Random(seed).random()`, reproduced exactly for a given `seed`).
 * - PDQ matches use each bank's own distance threshold (PDQ_MATCH_THRESHOLD, 31, by
 *   default, as HMA). Lookup distances are strings as in HMA; text matches give their
 *   similarity ("0.87").
 * - Lookups leave out what rasd's allow-list (negative) banks suppress; raw_lookup does not.
 *
 * Exchanges are hma/exchanges.ts (services/exchanges/, docs/exchanges.md).
 *
 * Not supported: pydantic's validation error arrays (a missing required field is a 422
 * `{"message"}`).
 *
 * Where things are: `hma/common.ts` (errors, request schemas and fields, finding banks and
 * content), `hma/hashing.ts` (/h, and reading uploads and URLs), `hma/matching.ts` (/m),
 * `hma/banks.ts` and `hma/content.ts` (/c); the response bodies are in ../schemas/hma.ts. What differs per signal type (HMA's invalid
 * value messages, distance strings, comparisons) is the type's plug-in's `hma` part
 * (src/signals/types); hashing media is src/services/media-hashing.ts.
 */

import type { Services } from "../../server/services.js";
import type { RouteDef } from "../route.js";
import { hmaBankRoutes } from "./hma/banks.js";
import { hmaContext } from "./hma/common.js";
import { hmaContentRoutes } from "./hma/content.js";
import { hmaExchangeRoutes } from "./hma/exchanges.js";
import { hmaHashingRoutes, hmaMedia } from "./hma/hashing.js";
import { hmaMatchingRoutes } from "./hma/matching.js";

export { pythonFloat3, pythonSeededRandom } from "../../kernels/python/index.js";
export { HMA_SIGNAL_TYPES } from "../../signals/registry.js";
export { hmaVpdqJson } from "../../signals/types/vpdq.js";

/** Every HMA route, in the order /openapi.json lists them: /h, /m, then /c. */
export function hmaRoutes(s: Services): RouteDef[] {
  const c = hmaContext(s);
  const media = hmaMedia(c);
  return [
    ...hmaHashingRoutes(c, media),
    ...hmaMatchingRoutes(c, media),
    ...hmaBankRoutes(c),
    ...hmaContentRoutes(c, media),
    ...hmaExchangeRoutes(c),
  ];
}
