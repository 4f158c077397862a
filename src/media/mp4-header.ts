/**
 * What an MP4/MOV file's header says about its first video track — frame size, frame rate,
 * duration — read in a few small reads, without starting FFmpeg.
 *
 * It is a hint, never the answer: vPDQ starts decoding with it while `ffprobe` runs, and the
 * probe's figures decide (a different plan restarts the decode). So this parser only has
 * to be right for ordinary files and must never throw on strange ones: anything it does not
 * understand gives null.
 *
 * The frame rate follows libavformat's mov demuxer (its avg_frame_rate): mdhd's time scale
 * x the samples counted in stts / their total duration, with the demuxer's correction of an
 * outsized last sample duration.
 */

import { open } from "node:fs/promises";

export interface Mp4VideoHint {
  /** Coded frame size from the track's visual sample entry (stsd). */
  readonly width: number;
  readonly height: number;
  /** Frames per second, as libavformat computes avg_frame_rate. */
  readonly frameRate: number;
  /** mdhd duration / time scale. */
  readonly durationSeconds: number;
}

/** Largest moov box read (a 4-hour video's sample tables are a few MB). */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;

/** Reads the hint from a file, or null when it is not an MP4/MOV with a video track. */
export async function readMp4VideoHint(path: string): Promise<Mp4VideoHint | null> {
  let file;
  try {
    file = await open(path, "r");
  } catch {
    return null;
  }
  try {
    const { size } = await file.stat();
    const header = Buffer.alloc(16);
    let at = 0;
    for (let boxes = 0; at + 8 <= size && boxes < 64; boxes++) {
      const { bytesRead } = await file.read(header, 0, 16, at);
      if (bytesRead < 8) return null;
      let length = header.readUInt32BE(0);
      const type = header.toString("latin1", 4, 8);
      let body = 8;
      if (length === 1) {
        if (bytesRead < 16) return null;
        length = Number(header.readBigUInt64BE(8));
        body = 16;
      } else if (length === 0) {
        length = size - at;
      }
      if (length < body) return null;
      if (boxes === 0 && type !== "ftyp" && type !== "moov" && type !== "mdat" && type !== "free" && type !== "wide") {
        return null;
      }
      if (type === "moov") {
        if (length > MAX_MOOV_BYTES || at + length > size) return null;
        const moov = Buffer.alloc(length - body);
        await file.read(moov, 0, moov.length, at + body);
        return videoHintFromMoov(moov);
      }
      at += length;
    }
    return null;
  } catch {
    return null;
  } finally {
    await file.close();
  }
}

/** Children of a box body: [type, start, end] with offsets into `buf`. */
function* children(buf: Buffer, start: number, end: number): Generator<[string, number, number]> {
  let at = start;
  while (at + 8 <= end) {
    let length = buf.readUInt32BE(at);
    let body = 8;
    if (length === 1) {
      if (at + 16 > end) return;
      length = Number(buf.readBigUInt64BE(at + 8));
      body = 16;
    } else if (length === 0) {
      length = end - at;
    }
    if (length < body || at + length > end) return;
    yield [buf.toString("latin1", at + 4, at + 8), at + body, at + length];
    at += length;
  }
}

function child(buf: Buffer, start: number, end: number, type: string): [number, number] | null {
  for (const [t, s, e] of children(buf, start, end)) if (t === type) return [s, e];
  return null;
}

/** The first track whose handler is `vide`, from a moov box's body. */
function videoHintFromMoov(moov: Buffer): Mp4VideoHint | null {
  for (const [type, start, end] of children(moov, 0, moov.length)) {
    if (type !== "trak") continue;
    const mdia = child(moov, start, end, "mdia");
    if (!mdia) continue;
    const hdlr = child(moov, mdia[0], mdia[1], "hdlr");
    if (!hdlr || hdlr[1] - hdlr[0] < 12 || moov.toString("latin1", hdlr[0] + 8, hdlr[0] + 12) !== "vide") continue;
    return trackHint(moov, mdia);
  }
  return null;
}

function trackHint(buf: Buffer, mdia: [number, number]): Mp4VideoHint | null {
  const mdhd = child(buf, mdia[0], mdia[1], "mdhd");
  const minf = child(buf, mdia[0], mdia[1], "minf");
  const stbl = minf && child(buf, minf[0], minf[1], "stbl");
  const stts = stbl && child(buf, stbl[0], stbl[1], "stts");
  const stsd = stbl && child(buf, stbl[0], stbl[1], "stsd");
  if (!mdhd || !stts || !stsd) return null;

  const version = buf.readUInt8(mdhd[0]);
  const timescale = version === 1 ? buf.readUInt32BE(mdhd[0] + 20) : buf.readUInt32BE(mdhd[0] + 12);
  const duration = version === 1 ? Number(buf.readBigUInt64BE(mdhd[0] + 24)) : buf.readUInt32BE(mdhd[0] + 16);
  if (timescale === 0) return null;

  // stsd: full box, entry count, then the first sample entry; a visual entry's width and
  // height sit 24 bytes into its body (after reserved, data reference and pre-defined fields).
  const entry = stsd[0] + 8;
  if (entry + 8 + 28 > stsd[1]) return null;
  const width = buf.readUInt16BE(entry + 8 + 24);
  const height = buf.readUInt16BE(entry + 8 + 26);

  const count = buf.readUInt32BE(stts[0] + 4);
  if (stts[0] + 8 + count * 8 > stts[1]) return null;
  let samples = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const n = buf.readUInt32BE(stts[0] + 8 + i * 8);
    let delta = buf.readUInt32BE(stts[0] + 8 + i * 8 + 4);
    // libavformat: a single last sample far longer than the average takes the average.
    if (i === count - 1 && i > 0 && n === 1 && samples > 100 && Math.trunc(delta / 10) > Math.trunc(total / samples)) {
      delta = Math.trunc(total / samples);
    }
    total += delta * n;
    samples += n;
  }
  if (!(width > 0 && height > 0 && samples > 0 && total > 0)) return null;
  return { width, height, frameRate: (timescale * samples) / total, durationSeconds: duration / timescale };
}
