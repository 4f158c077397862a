/**
 * npm run bench -- hostile [--rounds N] [--no-content]
 *
 * Hostile media against `rasd serve` in its own process (embedded SQLite), all at once, while a
 * normal client looks signals up:
 *
 * - png-bomb: a small PNG declaring 10000 x 9999 RGBA pixels (under the 100 MP limit), 4 at once;
 * - jpeg-large / webp-large: real 10000 x 9999 JPEG and WebP files (300 MB of pixels each);
 * - gif-lie: a GIF whose header declares 60000 x 60000 but holds one small frame;
 * - deep-png: a 16-bit RGBA PNG of 8000 x 8000 (64 MP, 512 MB of samples): a decompression bomb
 *   under the pixel limit;
 * - truncated: a JPEG and a PNG cut in half;
 * - uploads: three ~190 MiB uploads at once (two to /h/hash, one video to /v1/content; without
 *   the last with --no-content, to tell its cost — storing the bytes in the database — apart).
 *
 * Prints the service's peak RSS (VmRSS sampled every 20 ms from /proc/PID/status, and VmHWM),
 * its RSS before and after, the normal lookup's p50/p99/max in ms, and each case's answers
 * (status → count), one JSON object per line.
 */

import { Agent, request } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { loadConfig } from "../dist/config/config.js";
import { closeServices, openServices } from "../dist/server/services.js";
import { emit, note, startRasd, stopAll } from "./_util.js";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg("rounds", 2);
const CONTENT = !process.argv.includes("--no-content");
const UPLOAD_BYTES = 190 * 1024 * 1024;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

interface Answer {
  status: number;
  body: string;
  ms: number;
}

function send(
  port: number,
  key: string,
  method: string,
  path: string,
  body: Buffer[] = [],
  headers: Record<string, string> = {},
): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const length = body.reduce((n, b) => n + b.length, 0);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method,
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          ...(length ? { "content-length": String(length) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString().slice(0, 300),
            ms: performance.now() - t0,
          }),
        );
      },
    );
    // A server that refuses early may close the connection while we are still sending.
    req.on("error", (e) => resolve({ status: 0, body: String(e), ms: performance.now() - t0 }));
    const write = (i: number): void => {
      if (i === body.length) return void req.end();
      if (req.write(body[i])) write(i + 1);
      else req.once("drain", () => write(i + 1));
    };
    write(0);
  });
}

/** A multipart body of one file part, as a list of buffers (the file's bytes are not copied). */
function multipart(
  field: string,
  file: Buffer[],
  fields: Record<string, string> = {},
): { body: Buffer[]; type: string } {
  const boundary = `----rasd${Math.random().toString(16).slice(2)}`;
  const head = Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join("");
  return {
    body: [
      Buffer.from(
        `${head}--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="f"\r\n` +
          "content-type: application/octet-stream\r\n\r\n",
      ),
      ...file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ],
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

/** The hostile files, made once and kept in the OS temporary folder (they take a while to encode). */
async function hostileFiles(): Promise<Record<string, Buffer>> {
  const dir = join(tmpdir(), "rasd-bench-hostile");
  const make = async (name: string, f: () => Promise<Buffer>): Promise<Buffer> => {
    const path = join(dir, name);
    if (existsSync(path)) return readFileSync(path);
    const bytes = await f();
    writeFileSync(path, bytes);
    return bytes;
  };
  mkdirSync(dir, { recursive: true });
  const W = 10_000;
  const H = 9_999;
  const solid = (channels: 3 | 4) =>
    sharp({ create: { width: W, height: H, channels, background: { r: 40, g: 90, b: 160, alpha: 1 } } });
  const photo = await sharp({
    create: {
      width: 1600,
      height: 1200,
      channels: 3,
      background: "#000",
      noise: { type: "gaussian", mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 85 })
    .toBuffer();
  const smallPng = await sharp(photo).png().toBuffer();
  const gif = await make("lie.gif", async () => {
    const g = Buffer.from(await sharp(photo).resize(64, 48).gif().toBuffer());
    g.writeUInt16LE(60_000, 6); // logical screen width
    g.writeUInt16LE(60_000, 8);
    return g;
  });
  return {
    "png-bomb": await make("bomb.png", () => solid(4).png({ compressionLevel: 9 }).toBuffer()),
    "jpeg-large": await make("large.jpg", () => solid(3).jpeg({ quality: 50 }).toBuffer()),
    "webp-large": await make("large.webp", () => solid(3).webp({ quality: 50 }).toBuffer()),
    "gif-lie": gif,
    "deep-png": await make("deep.png", () =>
      sharp({ create: { width: 8000, height: 8000, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 1 } } })
        .toColourspace("rgb16")
        .png({ compressionLevel: 9 })
        .toBuffer(),
    ),
    "truncated-jpeg": photo.subarray(0, photo.length >> 1),
    "truncated-png": smallPng.subarray(0, smallPng.length >> 1),
    normal: photo,
  };
}

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

function statusMib(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const files = await hostileFiles();
  for (const [name, bytes] of Object.entries(files)) note(`${name}: ${bytes.length} bytes`);
  const dir = mkdtempSync(join(tmpdir(), "rasd-bench-hostile-"));
  const s = await openServices(loadConfig({ data: dir }), { defaultMetrics: false });
  const org = await s.banks.createOrg("Hostile Bench", "platform");
  const key = (await s.access.createKey(org, "admin", "bench")).token;
  const bank = await s.banks.createBank({ orgId: org.id, name: "b", tlp: "GREEN" });
  const hashes = Array.from({ length: 200 }, (_, i) =>
    (Math.imul(i + 1, 2654435761) >>> 0).toString(16).padStart(8, "0").repeat(8),
  );
  await s.banks.addSignals(
    bank.id,
    hashes.map((value, i) => ({ line: i + 1, raw: { type: "pdq", value } })),
  );
  await closeServices(s);

  const port = 20_000 + Math.floor(Math.random() * 12_000);
  const server = await startRasd(["serve", "--data", dir, "--port", String(port)], "workers running", process.env);
  const pid = server.pid!;
  note(`rasd serve on :${port} (pid ${pid}), SQLite in ${dir}`);
  try {
    // Warm up: lookups and one ordinary image.
    for (let i = 0; i < 50; i++) await send(port, key, "GET", `/m/raw_lookup?signal_type=pdq&signal=${hashes[i]}`);
    const warm = multipart("photo", [files.normal!]);
    await send(port, key, "POST", "/h/hash", warm.body, { "content-type": warm.type });
    const rssBefore = statusMib(pid, "VmRSS");

    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, statusMib(pid, "VmRSS"))), 20);
    let attacking = true;
    const latencies: number[] = [];
    const lookups = (async () => {
      let i = 0;
      while (attacking) {
        const a = await send(port, key, "GET", `/m/raw_lookup?signal_type=pdq&signal=${hashes[i++ % hashes.length]}`);
        if (a.status !== 200) note(`lookup answered ${a.status}: ${a.body}`);
        latencies.push(a.ms);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    const answers = new Map<string, Map<string, number>>();
    const record = (name: string, a: Answer): void => {
      const m = answers.get(name) ?? new Map<string, number>();
      const code = /"code":"([^"]+)"/.exec(a.body)?.[1] ?? "";
      const label = `${a.status}${code ? ` ${code}` : ""}`;
      m.set(label, (m.get(label) ?? 0) + 1);
      answers.set(name, m);
    };
    const hash = async (name: string, bytes: Buffer[], copies: number): Promise<void> => {
      await Promise.all(
        Array.from({ length: copies }, async () => {
          const m = multipart("photo", bytes);
          record(name, await send(port, key, "POST", "/h/hash", m.body, { "content-type": m.type }));
        }),
      );
    };
    const big = Buffer.alloc(UPLOAD_BYTES, 7);
    let seq = 0;
    const t0 = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all([
        hash("png-bomb", [files["png-bomb"]!], 4),
        hash("jpeg-large", [files["jpeg-large"]!], 2),
        hash("webp-large", [files["webp-large"]!], 2),
        hash("gif-lie", [files["gif-lie"]!], 2),
        hash("deep-png", [files["deep-png"]!], 2),
        hash("truncated", [files["truncated-jpeg"]!], 2),
        hash("truncated", [files["truncated-png"]!], 2),
        hash("upload-190mib", [big], 2),
        (async () => {
          if (!CONTENT) return;
          const m = multipart("video", [big], { text: "hostile upload" });
          record(
            "upload-190mib-content",
            await send(port, key, "POST", "/v1/content", m.body, {
              "content-type": m.type,
              "idempotency-key": `hostile-${round}-${++seq}`,
            }),
          );
        })(),
      ]);
    }
    const attackSeconds = (performance.now() - t0) / 1000;
    // Let the pipeline take the accepted videos too, then measure what is left.
    await new Promise((r) => setTimeout(r, 3000));
    attacking = false;
    await lookups;
    clearInterval(sampler);
    const hwm = statusMib(pid, "VmHWM");
    const rssAfter = statusMib(pid, "VmRSS");
    const base = { bench: "hostile", impl: "rasd" };
    emit({ ...base, case: "all", metric: "peak_rss_mib", value: Math.max(peak, hwm), sampled: Math.round(peak) });
    emit({ ...base, case: "all", metric: "rss_before_mib", value: rssBefore });
    emit({ ...base, case: "all", metric: "rss_after_mib", value: rssAfter });
    emit({ ...base, case: "all", metric: "attack_s", value: attackSeconds, rounds: ROUNDS });
    emit({ ...base, case: "lookup", metric: "p50_ms", value: percentile(latencies, 0.5), count: latencies.length });
    emit({ ...base, case: "lookup", metric: "p99_ms", value: percentile(latencies, 0.99), count: latencies.length });
    emit({ ...base, case: "lookup", metric: "max_ms", value: Math.max(...latencies), count: latencies.length });
    for (const [name, m] of answers)
      for (const [label, count] of m) emit({ ...base, case: name, metric: "answers", answer: label, value: count });
  } finally {
    await stopAll([server]);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
