/**
 * What an MP4/MOV file's header says about its first video track — frame size, frame rate,
 * duration — read in a few small reads, without starting FFmpeg; and whether the file holds
 * everything its boxes declare (a cut file: `readMp4Layout`).
 *
 * The hint is never the answer: vPDQ starts decoding with it while `ffprobe` runs, and the
 * probe's figures decide (a different plan restarts the decode). So this parser only has
 * to be right for ordinary files and must never throw on strange ones: anything it does not
 * understand gives null.
 *
 * Truncation is read from the structure, not guessed: a top-level `mdat`, `moov` or `moof`
 * box that runs past the end of the file, or video samples that the sample tables (stsz,
 * stsc, stco/co64) place beyond it. FFmpeg decodes such a file without an error status,
 * hashing only the frames that are there (issue 15: 9 of 21 frames, reported done).
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

/** What the file's boxes declare against what the file holds. */
export interface Mp4Layout {
  /** The file's size in bytes. */
  readonly fileBytes: number;
  /**
   * Where the first top-level box that runs past the end of the file says it ends, or null
   * when every box the walk reached fits.
   */
  readonly declaredBytes: number | null;
  /** Whether a whole moov box (the index) is in the file. */
  readonly moov: boolean;
  /**
   * The walk reached the end of the file without finding a moov box: a file cut at a box
   * boundary before its index (every MP4/MOV has one, fragmented ones included).
   */
  readonly moovMissing: boolean;
  /** The first video track's hint, when its moov is in the file and understood. */
  readonly hint: Mp4VideoHint | null;
  /**
   * The first video track's samples (frames): how many its sample size table declares, and
   * how many of them lie wholly within the file. Null when the tables are absent or not understood.
   */
  readonly videoSamples: { readonly declared: number; readonly present: number } | null;
}

/** Largest moov box read (a 4-hour video's sample tables are a few MB). */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;
/** Top-level boxes walked (a fragmented MP4 has a moof and an mdat per fragment). */
const MAX_TOP_BOXES = 4096;
/**
 * Top-level boxes of ISO BMFF: one of these running past the end of the file means the file
 * was cut (other types there are taken for trailing junk, not a cut).
 */
const TOP_BOXES = new Set([
  "ftyp",
  "styp",
  "moov",
  "mdat",
  "moof",
  "mfra",
  "free",
  "skip",
  "wide",
  "meta",
  "udta",
  "uuid",
  "sidx",
  "pdin",
]);

/** Positional reads of a file or of bytes in memory. */
interface ByteSource {
  readonly size: number;
  read(into: Buffer, length: number, position: number): Promise<number>;
}

/** Reads the hint from a file, or null when it is not an MP4/MOV with a video track. */
export async function readMp4VideoHint(path: string): Promise<Mp4VideoHint | null> {
  return (await readMp4Layout(path))?.hint ?? null;
}

/**
 * The layout of an MP4/MOV file: its hint and whether it is cut short. Null when the file is
 * missing or does not begin like an MP4/MOV. Never throws.
 *
 * @example
 * const layout = await readMp4Layout("cut.mp4");
 * // { fileBytes: 35381, declaredBytes: 70762, moov: true, videoSamples: { declared: 21, present: 10 }, hint: {...} }
 */
export async function readMp4Layout(path: string): Promise<Mp4Layout | null> {
  let file;
  try {
    file = await open(path, "r");
  } catch {
    return null;
  }
  try {
    const { size } = await file.stat();
    const handle = file;
    return await layoutOf({
      size,
      read: async (into, length, position) => (await handle.read(into, 0, length, position)).bytesRead,
    });
  } catch {
    return null;
  } finally {
    await file.close();
  }
}

/** {@link readMp4Layout} of bytes in memory. Never throws. */
export async function mp4LayoutOfBytes(bytes: Uint8Array): Promise<Mp4Layout | null> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return await layoutOf({
      size: buf.length,
      read: (into, length, position) => {
        const n = Math.max(0, Math.min(length, buf.length - position));
        buf.copy(into, 0, position, position + n);
        return Promise.resolve(n);
      },
    });
  } catch {
    return null;
  }
}

/** Whether a layout shows a cut file (frames or boxes missing at the end). */
export function isTruncated(layout: Mp4Layout): boolean {
  return (
    layout.declaredBytes !== null ||
    layout.moovMissing ||
    (layout.videoSamples !== null && layout.videoSamples.present < layout.videoSamples.declared)
  );
}

async function layoutOf(source: ByteSource): Promise<Mp4Layout | null> {
  const size = source.size;
  const header = Buffer.alloc(16);
  let at = 0;
  let declaredBytes: number | null = null;
  let moov: Buffer | null = null;
  let moovSeen = false;
  for (let boxes = 0; at + 8 <= size && boxes < MAX_TOP_BOXES; boxes++) {
    const bytesRead = await source.read(header, 16, at);
    if (bytesRead < 8) break;
    let length = header.readUInt32BE(0);
    const type = header.toString("latin1", 4, 8);
    let body = 8;
    if (length === 1) {
      if (bytesRead < 16) break;
      length = Number(header.readBigUInt64BE(8));
      body = 16;
    } else if (length === 0) {
      length = size - at;
    }
    if (boxes === 0 && type !== "ftyp" && type !== "moov" && type !== "mdat" && type !== "free" && type !== "wide") {
      return null;
    }
    if (length < body) break;
    if (at + length > size) {
      if (TOP_BOXES.has(type) && declaredBytes === null) declaredBytes = at + length;
      if (type !== "moov") break;
    }
    if (type === "moov" && at + length <= size) moovSeen = true;
    if (type === "moov" && moov === null && length <= MAX_MOOV_BYTES && at + length <= size) {
      moov = Buffer.alloc(length - body);
      if ((await source.read(moov, moov.length, at + body)) < moov.length) moov = null;
    }
    at += length;
  }
  if (size < 8) return null;
  const walkedAll = at + 8 > size;
  const track = moov ? videoTrack(moov) : null;
  return {
    fileBytes: size,
    declaredBytes,
    moov: moovSeen,
    moovMissing: walkedAll && !moovSeen && declaredBytes === null,
    hint: moov && track ? trackHint(moov, track) : null,
    videoSamples: moov && track ? samplesPresent(moov, track, size) : null,
  };
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

/** The mdia box of the first track whose handler is `vide`, from a moov box's body. */
function videoTrack(moov: Buffer): [number, number] | null {
  for (const [type, start, end] of children(moov, 0, moov.length)) {
    if (type !== "trak") continue;
    const mdia = child(moov, start, end, "mdia");
    if (!mdia) continue;
    const hdlr = child(moov, mdia[0], mdia[1], "hdlr");
    if (!hdlr || hdlr[1] - hdlr[0] < 12 || moov.toString("latin1", hdlr[0] + 8, hdlr[0] + 12) !== "vide") continue;
    return mdia;
  }
  return null;
}

function sampleTable(buf: Buffer, mdia: [number, number]): [number, number] | null {
  const minf = child(buf, mdia[0], mdia[1], "minf");
  return minf && child(buf, minf[0], minf[1], "stbl");
}

/**
 * How many of the track's samples lie wholly within `fileBytes`, walking chunks (stco/co64)
 * with their sample counts (stsc) and sizes (stsz). Work is bounded by the tables' lengths:
 * a uniform sample size is counted per chunk, not per sample.
 */
function samplesPresent(
  buf: Buffer,
  mdia: [number, number],
  fileBytes: number,
): { declared: number; present: number } | null {
  const stbl = sampleTable(buf, mdia);
  if (!stbl) return null;
  const stsz = child(buf, stbl[0], stbl[1], "stsz");
  const stsc = child(buf, stbl[0], stbl[1], "stsc");
  const stco = child(buf, stbl[0], stbl[1], "stco");
  const co64 = stco ? null : child(buf, stbl[0], stbl[1], "co64");
  const offsets = stco ?? co64;
  if (!stsz || !stsc || !offsets || stsz[1] - stsz[0] < 12 || stsc[1] - stsc[0] < 8 || offsets[1] - offsets[0] < 8) {
    return null;
  }
  const uniform = buf.readUInt32BE(stsz[0] + 4);
  const declared = buf.readUInt32BE(stsz[0] + 8);
  if (uniform === 0 && stsz[0] + 12 + declared * 4 > stsz[1]) return null;
  const runs = buf.readUInt32BE(stsc[0] + 4);
  if (stsc[0] + 8 + runs * 12 > stsc[1]) return null;
  const width = co64 ? 8 : 4;
  const chunks = buf.readUInt32BE(offsets[0] + 4);
  if (offsets[0] + 8 + chunks * width > offsets[1]) return null;

  if (runs === 0) return null;
  let sample = 0;
  let present = 0;
  let run = 0;
  for (let chunk = 0; chunk < chunks && sample < declared; chunk++) {
    // stsc runs are 1-based first-chunk numbers; a run lasts until the next one starts.
    while (run + 1 < runs && buf.readUInt32BE(stsc[0] + 8 + (run + 1) * 12) <= chunk + 1) run++;
    const perChunk = Math.min(buf.readUInt32BE(stsc[0] + 8 + run * 12 + 4), declared - sample);
    const at = offsets[0] + 8 + chunk * width;
    let offset = co64 ? Number(buf.readBigUInt64BE(at)) : buf.readUInt32BE(at);
    if (uniform !== 0) {
      const fit = offset >= fileBytes ? 0 : Math.floor((fileBytes - offset) / uniform);
      present += Math.min(perChunk, fit);
      sample += perChunk;
      continue;
    }
    for (let i = 0; i < perChunk; i++, sample++) {
      offset += buf.readUInt32BE(stsz[0] + 12 + sample * 4);
      if (offset <= fileBytes) present++;
    }
  }
  // Tables that place fewer samples than stsz counts are inconsistent, not cut: judge the placed ones.
  return { declared: sample, present };
}

function trackHint(buf: Buffer, mdia: [number, number]): Mp4VideoHint | null {
  const mdhd = child(buf, mdia[0], mdia[1], "mdhd");
  const stbl = sampleTable(buf, mdia);
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
