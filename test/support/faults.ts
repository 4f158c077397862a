/**
 * What every fault test of test/scale/ asserts, in one place: a `Probe` adds a signal and
 * then submits items that match it, retracts a signal and then submits items that matched
 * it, and submits items that match nothing — through whatever fault the test makes — and
 * `check` then asserts, from the database and a webhook receiver, that no accepted item was
 * lost, none was matched or acted on twice, every item submitted after an add matched it,
 * and nothing was matched, acted on or sent for a retracted signal.
 */

import assert from "node:assert/strict";
import type { Services } from "../../src/server/services.js";
import type { Receiver } from "./receiver.js";
import { json, type TestService } from "./service.js";

/** Waits until `ok` holds (checked every 10 ms); returns the milliseconds it took. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<number> {
  const t0 = performance.now();
  while (!(await ok())) {
    if (performance.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - t0;
}

/** Waits until `f` gives a value (checked every 50 ms, up to `ms`) and returns it. */
export async function untilValue<T>(
  what: string,
  f: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `op` again (every 50 ms, up to `ms`) while it throws: a client retrying a 5xx. */
export async function persist<T>(what: string, op: () => Promise<T>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    try {
      return await op();
    } catch (error) {
      if (Date.now() - t0 > ms) throw new Error(`${what}: still failing after ${ms} ms`, { cause: error });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Submits URL items (with these idempotency keys) and returns their ids, in order. */
export type Submit = (items: readonly { key: string; url: string }[]) => Promise<number[]>;

/** What an item must end as: matched by this host's signal (one webhook), or matched by nothing. */
interface Expectation {
  readonly host: string;
  /** The signal it must match (none: it must match nothing). */
  readonly signalId?: number;
}

/**
 * The bank every fault test probes: GREEN, in A's organisation, with a rule that sends every
 * matched item to `hookUrl` as a webhook (`secretByte` makes each test's secret its own).
 */
export async function probeBank(api: TestService, name: string, hookUrl: string, secretByte: number) {
  const bank = await api.s.banks.createBank({ orgId: api.orgs.a.id, name, tlp: "GREEN" });
  await api.s.rules.create(api.orgs.a.id, {
    name: "notify",
    conditions: {},
    actions: [{ type: "webhook", url: hookUrl, secret: "whsec_" + Buffer.alloc(24, secretByte).toString("base64") }],
  });
  return bank;
}

/** Submits through `POST /v1/content/batch` as A's submitter; anything but 202 fails the test. */
export function batchSubmit(api: TestService): Submit {
  return async (batch) => {
    const items = batch.map((b) => ({ idempotency_key: b.key, url: b.url }));
    const r = await api.call(api.keys.a.submitter, { method: "POST", url: "/v1/content/batch", payload: { items } });
    assert.equal(r.statusCode, 202, r.body);
    return json<{ items: { id: number }[] }>(r).items.map((it) => it.id);
  };
}

export class Probe {
  private readonly expected = new Map<number, Expectation>();
  private readonly retractable: { id: number; host: string }[] = [];
  private n = 0;

  constructor(
    /** A process that writes signals (an API process, say). */
    private readonly writer: Services,
    private readonly bankId: number,
    private readonly submit: Submit,
    private readonly tag: string,
  ) {}

  /** Adds `n` signals now (before any fault) for `retractThenSubmit` to take back later. */
  async prepare(n: number): Promise<void> {
    const hosts = Array.from({ length: n }, (_, i) => `ret-${this.tag}-${i}.example`);
    await this.writer.banks.addSignals(
      this.bankId,
      hosts.map((value, i) => ({ line: i + 1, raw: { type: "domain", value } })),
    );
    for (const s of await this.writer.store.listSignals(this.bankId, { limit: 100_000 }))
      if (hosts.includes(s.value)) this.retractable.push({ id: s.id, host: s.value });
    assert.equal(this.retractable.length, n);
  }

  get items(): number {
    return this.expected.size;
  }

  private async send(host: string, signalId: number | undefined, count: number): Promise<number[]> {
    const batch = Array.from({ length: count }, () => {
      const i = this.n++;
      return { key: `${this.tag}-${i}`, url: `https://${host}/p/${i}` };
    });
    const ids = await this.submit(batch);
    for (const id of ids) this.expected.set(id, signalId === undefined ? { host } : { host, signalId });
    return ids;
  }

  /** Adds a new signal (retrying while the fault refuses it), then at once submits `count` items it matches. */
  async addThenSubmit(count: number): Promise<number[]> {
    const host = `add-${this.tag}-${this.n}.example`;
    await persist(`adding ${host}`, () =>
      this.writer.banks.addSignals(this.bankId, [{ line: 1, raw: { type: "domain", value: host } }]),
    );
    const [signal] = await persist(`reading ${host}`, () => this.writer.store.findSignals("domain", host));
    assert.ok(signal, `${host} was not added`);
    return this.send(host, signal.id, count);
  }

  /** Retracts one of the prepared signals, then at once submits `count` items it used to match. */
  async retractThenSubmit(count: number): Promise<number[]> {
    const signal = this.retractable.shift();
    assert.ok(signal, "no prepared signal left to retract");
    await persist(`retracting ${signal.host}`, () => this.writer.banks.retract(signal.id));
    return this.send(signal.host, undefined, count);
  }

  /** Submits `count` items no signal matches. */
  plain(count: number): Promise<number[]> {
    return this.send(`plain-${this.tag}.example`, undefined, count);
  }

  /** Every id submitted, with whether it must match. */
  get ids(): number[] {
    return [...this.expected.keys()];
  }

  /** True once every item is done. */
  async allDone(s: Services): Promise<boolean> {
    const items = await s.content.getItems(this.ids);
    return items.length === this.expected.size && items.every((i) => i.status === "done");
  }

  /**
   * Asserts every item done; matched exactly when it should (by its own host, once); one
   * webhook action per matched item and none otherwise; and, with a receiver, every
   * matched item's webhook received (repeats only under its own delivery id, which
   * receivers drop) and none for any other item.
   */
  async check(s: Services, hook?: Receiver): Promise<{ items: number; matched: number; repeats: number }> {
    const ids = this.ids;
    const items = await s.content.getItems(ids);
    assert.equal(items.length, ids.length, "accepted items lost");
    const actions = await s.actions.actionsOf(ids);
    const byItem = new Map<number, typeof actions>();
    for (const a of actions) byItem.set(a.itemId, [...(byItem.get(a.itemId) ?? []), a]);
    let matched = 0;
    const deliveryOf = new Map<string, number>();
    const problems: string[] = [];
    for (const item of items) {
      const want = this.expected.get(item.id)!;
      if (item.status !== "done") {
        const of = (byItem.get(item.id) ?? []).map((a) => `${a.type} ${a.status}`);
        problems.push(`item ${item.id} (${want.host}) is ${item.status} (actions: ${of.join(", ") || "none"})`);
        continue;
      }
      const signals = (JSON.parse(item.matches) as { signalId: number }[]).map((m) => m.signalId);
      const mine = byItem.get(item.id) ?? [];
      if (want.signalId !== undefined) {
        matched++;
        if (!signals.includes(want.signalId))
          problems.push(`item ${item.id} submitted after ${want.host} was added did not match it`);
        if (mine.length !== 1) problems.push(`item ${item.id} has ${mine.length} actions, not 1`);
        for (const a of mine) deliveryOf.set(a.deliveryId, item.id);
      } else {
        if (signals.length) problems.push(`item ${item.id} (${want.host}) matched signals ${signals.join(", ")}`);
        if (mine.length) problems.push(`item ${item.id} (${want.host}) has ${mine.length} actions`);
      }
    }
    if (problems.length) {
      // Grouped by kind (the text after the item's number), a few of each.
      const kinds = new Map<string, string[]>();
      for (const p of problems) {
        const kind = p.replace(/item \d+ \([^)]*\) |item \d+ /, "").replace(/\d+/g, "N");
        kinds.set(kind, [...(kinds.get(kind) ?? []), p]);
      }
      const summary = [...kinds].map(([k, ps]) => `${ps.length}× ${k}: ${ps.slice(0, 4).join("; ")}`);
      assert.fail(`${problems.length} problems of ${ids.length} items:\n${summary.join("\n")}`);
    }
    let repeats = 0;
    if (hook) {
      const seen = new Map<string, number>();
      for (const r of hook.received) {
        const deliveryId = String(r.headers["webhook-id"]);
        const body = JSON.parse(r.body) as { data: { item: { id: number } } };
        if (!this.expected.has(body.data.item.id)) continue; // another test's item
        const want = deliveryOf.get(deliveryId);
        assert.equal(want, body.data.item.id, `a webhook for item ${body.data.item.id} that must not have one`);
        seen.set(deliveryId, (seen.get(deliveryId) ?? 0) + 1);
      }
      for (const [d, item] of deliveryOf) assert.ok(seen.has(d), `item ${item}'s webhook ${d} never arrived`);
      repeats = [...seen.values()].reduce((sum, k) => sum + k - 1, 0);
    }
    return { items: ids.length, matched, repeats };
  }
}
