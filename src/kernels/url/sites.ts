/**
 * What the URLs of a few big platforms mean, so that one item has one key however it was
 * shared. Applied after host aliasing (aliases.ts), on the normalised path and parameters.
 *
 *   youtube.com  youtu.be/ID, /shorts/ID, /embed/ID, /v/ID, /live/ID, /e/ID → /watch?v=ID
 *                (ID: the 11-character video id;
 *                /embed/videoseries is a playlist); /watch keeps only `v`; elsewhere the
 *                share parameters si, feature, pp, ab_channel, app are dropped.
 *   x.com        /USER/status/ID, /USER/statuses/ID, /i/web/status/ID, with an optional
 *                /photo/N or /video/N → /i/status/ID without parameters: X ignores the
 *                user name in a status URL, and accounts are renamed; the first path
 *                segment is lower-cased when it is a user name (names are case-insensitive);
 *                s, t and src are dropped.
 *   t.me         /s/NAME… (the web preview) → /NAME…; a user or channel name in the first
 *                segment is lower-cased (case-insensitive on Telegram); invite hashes
 *                (/+HASH, /joinchat/HASH) keep their case.
 *   facebook.com referral parameters __tn__, __cft__[…], __xts__[…], _rdr, ref, refid,
 *                fref, hc_ref, mibextid, sfnsn, rdid are dropped.
 */

import type { QueryParam } from "./query.js";

/** The parts of a URL a site rule may rewrite. */
export interface SiteParts {
  path: string;
  params: QueryParam[];
}

const YOUTUBE_ID = "[A-Za-z0-9_-]{11}";
const YOUTU_BE = new RegExp(`^/(${YOUTUBE_ID})$`);
/** `videoseries` (a playlist embed) has the shape of an id but is not one. */
const YOUTUBE_VIDEO_PATH = new RegExp(`^/(?:shorts|embed|v|live|e)/(?!videoseries$)(${YOUTUBE_ID})$`);
const YOUTUBE_SHARE = new Set(["si", "feature", "pp", "ab_channel", "app"]);

const X_STATUS = /^\/(?:[^/]+\/status(?:es)?|i\/web\/status)\/(\d+)(?:\/(?:photo|video)\/\d+)?$/i;
const X_USER_SEGMENT = /^\/([A-Za-z0-9_]{1,15})(?=\/|$)/;
const X_SHARE = new Set(["s", "t", "src"]);

const TELEGRAM_PREVIEW = /^\/s\/(?=[^/])/;
const TELEGRAM_NAME_SEGMENT = /^\/([A-Za-z][A-Za-z0-9_]{3,31})(?=\/|$)/;

const FACEBOOK_REFERRAL = new Set(["__tn__", "_rdr", "ref", "refid", "fref", "hc_ref", "mibextid", "sfnsn", "rdid"]);
const FACEBOOK_REFERRAL_PREFIXES = ["__cft__", "__xts__"];

function videoParam(id: string): QueryParam {
  return { name: "v", value: id, key: "v" };
}

function youtube(parts: SiteParts, fromHost: string): void {
  const short = fromHost === "youtu.be" ? YOUTU_BE.exec(parts.path) : YOUTUBE_VIDEO_PATH.exec(parts.path);
  if (short) {
    parts.path = "/watch";
    parts.params = [videoParam(short[1]!)];
    return;
  }
  if (parts.path === "/watch") parts.params = parts.params.filter((p) => p.key === "v");
  else parts.params = parts.params.filter((p) => !YOUTUBE_SHARE.has(p.key));
}

function x(parts: SiteParts): void {
  const status = X_STATUS.exec(parts.path);
  if (status) {
    parts.path = `/i/status/${status[1]!}`;
    parts.params = [];
    return;
  }
  parts.path = parts.path.replace(X_USER_SEGMENT, (segment) => segment.toLowerCase());
  parts.params = parts.params.filter((p) => !X_SHARE.has(p.key));
}

function telegram(parts: SiteParts): void {
  parts.path = parts.path.replace(TELEGRAM_PREVIEW, "/").replace(TELEGRAM_NAME_SEGMENT, (s) => s.toLowerCase());
}

function facebook(parts: SiteParts): void {
  parts.params = parts.params.filter(
    (p) => !FACEBOOK_REFERRAL.has(p.key) && !FACEBOOK_REFERRAL_PREFIXES.some((prefix) => p.key.startsWith(prefix)),
  );
}

/**
 * Rewrites `parts` in place for the site at canonical `host`; `fromHost` is the host as
 * written (after `www.` removal), which tells youtu.be links from youtube.com ones.
 * @example
 *   const parts = { path: "/dQw4w9WgXcQ", params: [] };
 *   applySiteRules("youtube.com", "youtu.be", parts); // parts.path "/watch", v=dQw4w9WgXcQ
 */
export function applySiteRules(host: string, fromHost: string, parts: SiteParts): void {
  switch (host) {
    case "youtube.com":
      return youtube(parts, fromHost);
    case "x.com":
      return x(parts);
    case "t.me":
      return telegram(parts);
    case "facebook.com":
      return facebook(parts);
  }
}
