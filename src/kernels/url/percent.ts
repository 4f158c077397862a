/**
 * Percent-encoding normalisation (RFC 3986 §6.2.2), so that every way of writing the same
 * path or query ends up as one string:
 *   - an escape of an unreserved character (A–Z a–z 0–9 - . _ ~) is decoded: `%7E` → `~`;
 *   - every other escape keeps its escape, with upper-case hex: `%2f` → `%2F` (reserved
 *     characters and their escapes are not equivalent: `a%2Fb` is one path segment);
 *   - a run of escapes that is valid UTF-8 is decoded, put in NFC and re-encoded, so that
 *     "é" typed raw, as `%c3%a9`, or decomposed (`e` + U+0301) give the same `%C3%A9`;
 *   - an ASCII character the component may not hold raw is escaped (`|` → `%7C`);
 *   - a `%` that starts no escape becomes `%25`.
 * The result contains only ASCII and is a fixed point: normalising it again changes nothing.
 */

const HEX = "0123456789ABCDEF";

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of chars) t[ch.charCodeAt(0)] = 1;
  return t;
}

const UNRESERVED = table("-._~");

/** Which URL component a string is; they differ only in which characters may stay raw. */
export type Component = "path" | "query";

const RAW_ALLOWED: Record<Component, Uint8Array> = {
  path: table("-._~!$&'()*+,;=:@/"),
  query: table("-._~!$&'()*+,;=:@/?"),
};

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function escapeByte(b: number): string {
  return `%${HEX[b >> 4]}${HEX[b & 15]}`;
}

/** Unreserved ASCII as itself, any other byte as an upper-case escape. */
function emitByte(b: number): string {
  return b < 0x80 && UNRESERVED[b] ? String.fromCharCode(b) : escapeByte(b);
}

/** A run of escaped bytes: valid UTF-8 is decoded (ASCII that must stay escaped excepted). */
function decodeRun(bytes: number[]): string {
  if (bytes.every((b) => b < 0x80)) return bytes.map(emitByte).join("");
  let decoded: string;
  try {
    decoded = utf8.decode(Uint8Array.from(bytes));
  } catch {
    return bytes.map(emitByte).join("");
  }
  let out = "";
  for (const ch of decoded) {
    const code = ch.charCodeAt(0);
    out += code < 0x80 ? emitByte(code) : ch;
  }
  return out;
}

const ESCAPE = /(%[0-9A-F]{2})/;
const NON_ASCII = /[\u0080-\uFFFF]/;

/** NFC between escapes (an escape is never part of a composed character), then UTF-8 escapes. */
function encodeNonAscii(text: string): string {
  return text
    .split(ESCAPE)
    .map((piece, k) => (k % 2 === 1 || !NON_ASCII.test(piece) ? piece : encodeURIComponentNfc(piece)))
    .join("");
}

function encodeURIComponentNfc(piece: string): string {
  let out = "";
  for (const ch of piece.normalize("NFC")) out += ch.charCodeAt(0) < 0x80 ? ch : encodeURIComponent(ch);
  return out;
}

/**
 * Normalises the percent-encoding of one path, query parameter or fragment.
 * @example normalizePercent("/caf%c3%a9/%7euser/a|b", "path") // "/caf%C3%A9/~user/a%7Cb"
 */
export function normalizePercent(text: string, component: Component): string {
  const allowed = RAW_ALLOWED[component];
  const n = text.length;
  let i = 0;
  // Fast path: nothing to change.
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 || c >= 0x80 || !allowed[c]) break;
  }
  if (i === n) return text;
  let out = text.slice(0, i);
  let nonAscii = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const bytes: number[] = [];
      while (i + 2 < n && text.charCodeAt(i) === 0x25) {
        const hi = hexValue(text.charCodeAt(i + 1));
        const lo = hexValue(text.charCodeAt(i + 2));
        if (hi < 0 || lo < 0) break;
        bytes.push((hi << 4) | lo);
        i += 3;
      }
      if (bytes.length === 0) {
        out += "%25";
        i++;
      } else {
        const run = decodeRun(bytes);
        nonAscii ||= NON_ASCII.test(run);
        out += run;
      }
    } else if (c < 0x80) {
      out += allowed[c] ? text[i] : escapeByte(c);
      i++;
    } else {
      nonAscii = true;
      out += text[i];
      i++;
    }
  }
  return nonAscii ? encodeNonAscii(out) : out;
}

/** Decodes every valid escape (for comparing names against lists); leaves invalid ones. */
export function decodeLoosely(text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%([0-9A-Fa-f]{2})/g, (m, hex: string) => {
      const b = parseInt(hex, 16);
      return b < 0x80 ? String.fromCharCode(b) : m;
    });
  }
}
