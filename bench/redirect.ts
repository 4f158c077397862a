/**
 * POST /v1/redirect under an open loop against `rasd serve` in its own process (issue 20's
 * goal: p99 under 20 ms at 1,000 requests/s). The library holds approved items on every
 * narrative in Arabic and English, keyword sets per narrative and a bank of labelled text
 * signals; requests cycle through Arabic and English queries (keyword hits, banked texts and
 * queries that hit nothing). Requests are sent on a fixed schedule whether or not earlier ones
 * were answered, and each latency is measured from when it was due (no coordinated omission).
 *
 *   npm run bench -- redirect [--rate 1000] [--seconds 10]
 *
 * Prints p50, p99 and max latency, the rate actually sent (sent_per_s), errors, the server's CPU time per request (/proc/PID/stat)
 * and the machine's load, one JSON object per figure.
 */

import { Agent, request } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../dist/config/config.js";
import { NARRATIVES } from "../dist/core/counter.js";
import { closeServices, openServices } from "../dist/server/services.js";
import { emit, load1, note, startRasd, stopAll } from "./_util.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RATE = arg("rate", 1000);
const SECONDS = arg("seconds", 10);
const WARM_S = 2;

const KEYWORDS: Record<string, string[]> = {
  "caliphate-utopia": ["الخلافة", "دولة الخلافة", "hijra to the caliphate", "caliphate"],
  "religious-legitimacy": ["البيعة", "أمير المؤمنين", "bayah", "true khilafah"],
  victimhood: ["المستضعفين", "oppressed muslims", "crusader bombs"],
  belonging: ["الإخوة", "brotherhood", "join the brothers"],
  "brutality-as-strength": ["الذبح", "اصدار جديد", "new release execution"],
  recruitment: ["انفر", "how to join", "travel to sham"],
};
const QUERIES = [
  "كيف الهجرة إلى دولة الخلافة",
  "how to join the brothers in sham",
  "أخبار المستضعفين في الشام",
  "caliphate news today",
  "weather in london tomorrow",
  "اصدار جديد للدولة الذبح",
  "البيعة لأمير المؤمنين",
  "football scores",
  "come and join us in the land of honour brothers the gates are open for every young man",
];

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const agent = new Agent({ keepAlive: true, maxSockets: 128 });

function post(port: number, key: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/v1/redirect",
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          "content-length": String(body.length),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rasd-bench-redirect-"));
  const s = await openServices(loadConfig({ data: dir }), { defaultMetrics: false });
  const org = await s.banks.createOrg("Bench Platform", "platform");
  const who = { orgId: org.id, personId: 0, role: "admin" as const };
  const key = (await s.access.createKey(org, "submitter", "bench")).token;
  let n = 0;
  for (const narrative of NARRATIVES)
    for (const lang of ["ar", "en"] as const)
      for (let i = 0; i < 5; i++) {
        const item = await s.counter.library.add(who, {
          kind: "url",
          title: `${narrative} ${lang} ${i}`,
          url: `https://example.org/${narrative}/${lang}/${i}`,
          narratives: [narrative],
          lang,
          tlp: "CLEAR",
        });
        await s.counter.library.transition(who, item.id, "approved");
        n++;
      }
  for (const [narrative, phrases] of Object.entries(KEYWORDS))
    await s.counter.library.addKeywords(who, narrative as (typeof NARRATIVES)[number], phrases);
  const bank = await s.banks.createBank({ orgId: org.id, name: "bench", tlp: "GREEN" });
  await s.banks.addSignals(
    bank.id,
    Array.from({ length: 200 }, (_, i) => ({
      line: i + 1,
      raw: {
        type: "text",
        value: `come and join us in the land of honour brothers the gates are open for every young man ${i} number ${i * 7}`,
        behaviour: ["recruitment"],
      },
    })),
  );
  await closeServices(s);
  note(`${n} approved items, ${Object.values(KEYWORDS).flat().length} keywords, 200 banked texts`);

  const port = 20_000 + Math.floor(Math.random() * 12_000);
  // The API alone: the redirect path is the API's (no content workers compete for the cores).
  const server = await startRasd(
    ["serve", "--data", dir, "--port", String(port), "--roles", "api"],
    "match indexes loaded",
    process.env,
  );
  try {
    const bodies = QUERIES.map((q) => Buffer.from(JSON.stringify({ query: q })));
    const total = Math.round((WARM_S + SECONDS) * RATE);
    const warm = Math.round(WARM_S * RATE);
    const interval = 1000 / RATE;
    const latencies: number[] = [];
    let errors = 0;
    let late = 0;
    const pending: Promise<void>[] = [];
    const start = performance.now() + 50;
    let cpu0 = 0;
    let gen0 = process.cpuUsage();
    let sentFrom = 0;
    for (let i = 0; i < total; i++) {
      const due = start + i * interval;
      if (i === warm) {
        cpu0 = cpuSeconds(server.pid!);
        gen0 = process.cpuUsage();
        sentFrom = performance.now();
      }
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      else if (wait < -interval * 10) late++;
      const counted = i >= warm;
      pending.push(
        post(port, key, bodies[i % bodies.length]!).then(
          (status) => {
            if (status !== 200) errors++;
            else if (counted) latencies.push(performance.now() - due);
          },
          () => {
            errors++;
          },
        ),
      );
    }
    // The rate actually held: requests sent after the warm-up over the time they took to send.
    const sendSeconds = (performance.now() - sentFrom) / 1000;
    await Promise.all(pending);
    const cpu = cpuSeconds(server.pid!) - cpu0;
    const gen = process.cpuUsage(gen0);
    const v = Float64Array.from(latencies).sort();
    const at = (q: number) => v[Math.min(v.length - 1, Math.floor(q * v.length))]!;
    const base = {
      bench: "redirect",
      case: `open loop ${RATE}/s for ${SECONDS} s`,
      impl: "rasd serve",
      load1: load1(),
    };
    emit({ ...base, metric: "p50_ms", value: at(0.5) });
    emit({ ...base, metric: "p99_ms", value: at(0.99) });
    emit({ ...base, metric: "max_ms", value: v[v.length - 1]! });
    emit({ ...base, metric: "requests", value: latencies.length });
    emit({ ...base, metric: "sent_per_s", value: (total - warm) / sendSeconds });
    emit({ ...base, metric: "errors", value: errors });
    emit({ ...base, metric: "late_sends", value: late });
    emit({ ...base, metric: "server_cpu_us_per_request", value: (cpu / latencies.length) * 1e6 });
    emit({ ...base, metric: "load_generator_cpu_us_per_request", value: (gen.user + gen.system) / latencies.length });
    note(
      `goal: p99 < 20 ms at 1,000/s; load average now ${load1()} on ${(await import("node:os")).cpus().length} cores`,
    );
  } finally {
    await stopAll([server]);
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
