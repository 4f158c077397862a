/**
 * The crisis protocol (issue 20; docs/crisis.md, decision 0023). An admin of a government
 * organisation declares an incident: rasd creates the incident bank (TLP GREEN: every member
 * sees it and is matched against it, whatever its own default sharing — an override the audit
 * log records), adds the first artefacts, and queues a signed `incident.declared` alert to
 * every member's webhook receivers (the URLs of its rules' webhooks, signed with their
 * secrets; the webhook worker delivers them). While the incident is active the pipeline tells
 * it of every submission that matched the incident bank (`observe`): a `match` event, an
 * `action` event when the member's rules acted, and near-duplicates proposed as variants.
 * Every debrief figure is computed from the stored events (core/incidents.ts).
 */

import { randomBytes } from "node:crypto";
import { RasdError } from "../core/errors.js";
import {
  DECLARING_KINDS,
  VARIANT_CLUSTER_PDQ_BITS,
  VARIANT_CLUSTER_TEXT_SIMILARITY,
  VARIANT_CLUSTER_VPDQ_PERCENT,
  computeDebrief,
  isTier,
  type Debrief,
  type Incident,
  type IncidentEvent,
  type IncidentTier,
  type IncidentWebhookEvent,
  type Variant,
  type VariantType,
} from "../core/incidents.js";
import type { Org, Signal, SignalType } from "../core/model.js";
import type { Role } from "../core/roles.js";
import { webhookOrigin } from "../core/webhook-endpoints.js";
import { hammingDistanceHex } from "../kernels/pdq/hash256.js";
import { jaccard, normalizeText, shingleHashes } from "../kernels/text/index.js";
import { getLogger } from "../logging/logger.js";
import { vpdqFrames } from "../signals/types/vpdq.js";
import type {
  AccessStore,
  ContentItem,
  IncidentStore,
  NewAlert,
  NewIncidentEvent,
  RuleStore,
  SignalStore,
  WebhookEndpointStore,
} from "../storage/ports/index.js";
import type { BankService } from "./banks.js";
import { tryToSignalInput, type RawSignal } from "./signal-input.js";

/** Who acts: a person of an organisation through the API, or the operator with the CLI. */
export interface IncidentActor {
  readonly orgId: number;
  readonly personId: number | null;
  readonly role: Role;
  /** Readable, for the audit log. */
  readonly actor: string;
  readonly source: string;
}

export interface DeclareInput {
  readonly tier: number;
  readonly title: string;
  readonly description?: string;
  readonly drill?: boolean;
  /** First known artefacts: hashes (pdq, vpdq, md5, text, ...) and URLs as url signals. */
  readonly signals?: readonly RawSignal[];
}

/** What the pipeline tells of one finished submission. */
export interface ObservedItem {
  readonly item: ContentItem;
  readonly matches: readonly {
    readonly signalId: number;
    readonly bankId: number;
    readonly type: SignalType;
    readonly distance?: number;
    readonly similarity?: number;
    readonly queryMatchPercent?: number;
    readonly suppressed?: boolean;
  }[];
  /** The submission's own hashes by signal type (pdq, vpdq, ...). */
  readonly values: Partial<Record<SignalType, string>>;
  /** When it was matched. */
  readonly matchedAt: number;
  /** Its member's rules acted on it (a webhook or a decision fired). */
  readonly acted: boolean;
}

export interface IncidentDeps {
  readonly incidents: IncidentStore;
  readonly signals: SignalStore;
  readonly banks: BankService;
  readonly rules: RuleStore;
  readonly audit: Pick<AccessStore, "audit">;
  /** Webhook endpoints' health: no alert is queued to a disabled endpoint (decision 0035). */
  readonly endpoints?: Pick<WebhookEndpointStore, "list">;
}

const TITLE_MAX = 200;
const DESCRIPTION_MAX = 4000;
const IMPROVE_MAX = 20_000;
const MAX_ARTEFACTS = 1000;
/** Text variants are stored up to this many characters. */
const TEXT_VARIANT_MAX = 5000;
/** How long the active incidents' banks are cached by the pipeline's hook. */
const ACTIVE_CACHE_MS = 1000;

function checkText(value: string | undefined, field: string, max: number, required: boolean): string {
  const v = (value ?? "").trim();
  if (required && v === "") throw new RasdError("invalid", `${field}: required`);
  if (v.length > max) throw new RasdError("invalid", `${field}: at most ${max} characters`);
  return v;
}

export class IncidentService {
  private active: { at: number; byBank: Map<number, Incident> } | undefined;
  private readonly log = getLogger("incidents");
  /** Told after alerts were queued (wakes the webhook worker in this process). */
  onAlerts: (() => void) | undefined;
  /** Told after an incident bank was created (sharing caches drop it, other processes are told). */
  onShared: (() => void) | undefined;

  constructor(private readonly deps: IncidentDeps) {}

  private async requireDeclarer(who: IncidentActor): Promise<Org> {
    const org = await this.deps.signals.getOrg(who.orgId);
    if (!org) throw new RasdError("not_found", "no such organisation");
    if (who.role !== "admin" || !DECLARING_KINDS.includes(org.kind))
      throw new RasdError(
        "auth.forbidden",
        "only an admin of a government (coalition) organisation may declare or run an incident",
      );
    return org;
  }

  /** An incident any member may see (every member is alerted to every incident). */
  async get(id: number): Promise<Incident> {
    const incident = Number.isInteger(id) ? await this.deps.incidents.get(id) : undefined;
    if (!incident) throw new RasdError("not_found", `no incident with id ${id}`);
    return incident;
  }

  /** The incident, if `who` runs it: an admin of the declaring organisation. */
  private async requireRunner(who: IncidentActor, id: number): Promise<Incident> {
    const incident = await this.get(id);
    if (who.orgId !== incident.orgId || who.role !== "admin")
      throw new RasdError("auth.forbidden", "only an admin of the organisation that declared the incident may do this");
    return incident;
  }

  private static activeOnly(incident: Incident): void {
    if (incident.status !== "active") throw new RasdError("conflict", `incident ${incident.id} is closed`);
  }

  /** Validates raw artefacts before anything is written; returns them as given. */
  private checkArtefacts(signals: readonly RawSignal[]): void {
    if (signals.length > MAX_ARTEFACTS) throw new RasdError("invalid", `at most ${MAX_ARTEFACTS} artefacts at a time`);
    signals.forEach((raw, i) => {
      const v = tryToSignalInput(raw);
      if (!v.ok) throw new RasdError("invalid", `artefact ${i + 1}: ${v.message}`);
    });
  }

  async declare(who: IncidentActor, input: DeclareInput): Promise<Incident> {
    const org = await this.requireDeclarer(who);
    if (!isTier(input.tier)) throw new RasdError("invalid", "tier: 1, 2 or 3 (criteria in docs/crisis.md)");
    const title = checkText(input.title, "title", TITLE_MAX, true);
    const description = checkText(input.description, "description", DESCRIPTION_MAX, false);
    const artefacts = input.signals ?? [];
    this.checkArtefacts(artefacts);
    const drill = input.drill === true;
    const now = Date.now();
    const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
    const bank = await this.deps.banks.createBank({
      orgId: org.id,
      name: `${drill ? "exercise" : "incident"}-${stamp}-${randomBytes(3).toString("hex")}`,
      description: `${drill ? "EXERCISE — " : ""}Incident bank: ${title}`.slice(0, 500),
      actionHint: "remove",
      // Shared with every member at once, whatever their default sharing (decision 0023).
      tlp: "GREEN",
    });
    this.onShared?.();
    const members = (await this.deps.signals.listOrgs()).map((o) => o.id);
    const incident = await this.deps.incidents.create(
      {
        orgId: org.id,
        declaredBy: who.personId,
        tier: input.tier,
        title,
        description,
        drill,
        bankId: bank.id,
        declaredAt: now,
      },
      [{ at: now, kind: "declared", orgId: org.id, detail: { members, tier: input.tier, drill, bank_id: bank.id } }],
    );
    await this.share(incident, artefacts, who);
    // Members first: the alert is queued before the audit entry is written.
    await this.alert(incident, "incident.declared");
    await this.deps.audit.audit({
      orgId: org.id,
      personId: who.personId,
      actor: who.actor,
      action: "incident.declare",
      target: `incident:${incident.id}`,
      source: who.source,
      detail: {
        tier: input.tier,
        drill,
        bank_id: bank.id,
        sharing_override: { tlp: "GREEN", members: members.length, reason: "incident bank shared with every member" },
      },
    });
    return incident;
  }

  /** Adds artefacts to the incident bank (each a `hash_shared` event); returns the signals. */
  private async share(incident: Incident, artefacts: readonly RawSignal[], who: IncidentActor): Promise<Signal[]> {
    if (artefacts.length === 0) return [];
    const { signals, report } = await this.deps.banks.addSignalsReturning(
      incident.bankId,
      artefacts.map((raw, i) => ({ line: i + 1, raw: { source: `incident:${incident.id}`, ...raw } })),
    );
    if (report.rejected.length)
      throw new RasdError("invalid", report.rejected.map((r) => `artefact ${r.line}: ${r.message}`).join("; "));
    const at = Date.now();
    await this.deps.incidents.addEvents(
      signals.map((s) => ({
        incidentId: incident.id,
        at,
        kind: "hash_shared",
        orgId: who.orgId,
        signalId: s.id,
        detail: { type: s.type },
      })),
    );
    return signals;
  }

  /** More artefacts (hashes, URLs, an uploaded file's hashes) for an active incident. */
  async addArtefacts(who: IncidentActor, id: number, artefacts: readonly RawSignal[]): Promise<Signal[]> {
    const incident = await this.requireRunner(who, id);
    IncidentService.activeOnly(incident);
    if (artefacts.length === 0) throw new RasdError("invalid", "no artefacts given");
    this.checkArtefacts(artefacts);
    const signals = await this.share(incident, artefacts, who);
    await this.alert(incident, "incident.updated", { added_signals: signals.length });
    return signals;
  }

  /** Changes the tier or the description (members alerted), or the debrief's "what to improve" (not alerted). */
  async update(
    who: IncidentActor,
    id: number,
    patch: { tier?: number; title?: string; description?: string; improve?: string },
  ): Promise<Incident> {
    const before = await this.requireRunner(who, id);
    if (patch.tier !== undefined && !isTier(patch.tier)) throw new RasdError("invalid", "tier: 1, 2 or 3");
    const tier = patch.tier as IncidentTier | undefined;
    const changes = {
      ...(tier !== undefined ? { tier } : {}),
      ...(patch.title !== undefined ? { title: checkText(patch.title, "title", TITLE_MAX, true) } : {}),
      ...(patch.description !== undefined
        ? { description: checkText(patch.description, "description", DESCRIPTION_MAX, false) }
        : {}),
    };
    const alerting = Object.keys(changes).length > 0;
    if (alerting) IncidentService.activeOnly(before);
    const now = Date.now();
    const incident = await this.deps.incidents.update(
      id,
      {
        ...changes,
        ...(patch.improve !== undefined ? { improve: checkText(patch.improve, "improve", IMPROVE_MAX, false) } : {}),
      },
      now,
    );
    if (alerting) {
      await this.deps.incidents.addEvents([
        { incidentId: id, at: now, kind: "updated", orgId: who.orgId, detail: changes },
      ]);
      await this.alert(incident, "incident.updated", changes);
    }
    return incident;
  }

  async close(who: IncidentActor, id: number, improve?: string): Promise<Incident> {
    const before = await this.requireRunner(who, id);
    IncidentService.activeOnly(before);
    const now = Date.now();
    const incident = await this.deps.incidents.update(
      id,
      {
        status: "closed",
        closedAt: now,
        ...(improve !== undefined ? { improve: checkText(improve, "improve", IMPROVE_MAX, false) } : {}),
      },
      now,
    );
    await this.deps.incidents.addEvents([{ incidentId: id, at: now, kind: "closed", orgId: who.orgId }]);
    await this.deps.audit.audit({
      orgId: who.orgId,
      personId: who.personId,
      actor: who.actor,
      action: "incident.close",
      target: `incident:${id}`,
      source: who.source,
    });
    this.active = undefined;
    await this.alert(incident, "incident.closed");
    return incident;
  }

  list(status?: "active" | "closed"): Promise<Incident[]> {
    return this.deps.incidents.list(status ? { status } : {});
  }

  events(id: number): Promise<IncidentEvent[]> {
    return this.deps.incidents.events(id);
  }

  async variants(id: number, status?: "proposed" | "accepted" | "rejected"): Promise<Variant[]> {
    await this.get(id);
    return this.deps.incidents.variants(id, status);
  }

  /** Accepts (the variant becomes a signal of the incident bank, shared with all) or rejects a proposal. */
  async decideVariant(who: IncidentActor, id: number, variantId: number, accept: boolean): Promise<Variant> {
    const incident = await this.requireRunner(who, id);
    const variant = await this.deps.incidents.getVariant(variantId);
    if (!variant || variant.incidentId !== id)
      throw new RasdError("not_found", `incident ${id} has no variant ${variantId}`);
    if (variant.status !== "proposed")
      throw new RasdError("conflict", `variant ${variantId} was ${variant.status} already`);
    const now = Date.now();
    let signalId: number | null = null;
    if (accept) {
      IncidentService.activeOnly(incident);
      const [signal] = await this.share(
        incident,
        [{ type: variant.type, value: variant.value, source: `variant:${variant.id}` }],
        who,
      );
      signalId = signal?.id ?? null;
    }
    const decided = await this.deps.incidents.decideVariant(variantId, {
      status: accept ? "accepted" : "rejected",
      by: who.personId,
      at: now,
      signalId,
    });
    await this.deps.incidents.addEvents([
      {
        incidentId: id,
        at: now,
        kind: accept ? "variant_accepted" : "variant_rejected",
        orgId: who.orgId,
        variantId,
        signalId,
        detail: { type: variant.type },
      },
    ]);
    if (accept) await this.alert(incident, "incident.updated", { accepted_variant: variantId });
    return decided;
  }

  async debrief(id: number): Promise<{ incident: Incident; debrief: Debrief; orgs: Map<number, string> }> {
    const incident = await this.get(id);
    const debrief = computeDebrief(id, incident.drill, await this.deps.incidents.events(id));
    const orgs = new Map((await this.deps.signals.listOrgs()).map((o) => [o.id, o.name]));
    return { incident, debrief, orgs };
  }

  /**
   * Queues `event` to every member's webhook receivers: each distinct URL among the webhooks
   * of its enabled rules, signed with that webhook's secret (the webhook worker delivers it).
   */
  private async alert(
    incident: Incident,
    event: IncidentWebhookEvent,
    change?: Record<string, unknown>,
  ): Promise<void> {
    const now = Date.now();
    const bank = await this.deps.signals.getBank(incident.bankId);
    const signals = await this.deps.signals.listSignals(incident.bankId, { limit: 1000 });
    const payload = JSON.stringify({
      type: event,
      timestamp: new Date(now).toISOString(),
      drill: incident.drill,
      data: {
        incident: {
          id: incident.id,
          tier: incident.tier,
          title: incident.title,
          description: incident.description,
          drill: incident.drill,
          status: incident.status,
          declared_at: new Date(incident.declaredAt).toISOString(),
          closed_at: incident.closedAt === null ? null : new Date(incident.closedAt).toISOString(),
          bank: { id: incident.bankId, name: bank?.name ?? "" },
        },
        signals: signals.filter((s) => s.status === "active").map((s) => ({ id: s.id, type: s.type, value: s.value })),
        ...(change ? { change } : {}),
      },
    });
    const alerts: NewAlert[] = [];
    const seq = randomBytes(4).toString("hex");
    for (const org of await this.deps.signals.listOrgs()) {
      const urls = new Set<string>();
      // A disabled endpoint (sustained failures; only an admin re-enables it) gets no alert:
      // its member is alerted by the web app only (decision 0035).
      const disabled = new Set(
        ((await this.deps.endpoints?.list(org.id)) ?? []).filter((e) => e.state === "disabled").map((e) => e.origin),
      );
      for (const rule of await this.deps.rules.list(org.id)) {
        if (!rule.enabled) continue;
        rule.actions.forEach((a, index) => {
          if (a.type !== "webhook" || urls.has(a.url) || disabled.has(webhookOrigin(a.url))) return;
          urls.add(a.url);
          alerts.push({
            incidentId: incident.id,
            orgId: org.id,
            event,
            deliveryId: `inc_${incident.id}_${seq}_${rule.id}_${index}`,
            target: a.url,
            ruleId: rule.id,
            actionIndex: index,
            payload,
            createdAt: now,
          });
        });
      }
    }
    await this.deps.incidents.queueAlerts(alerts);
    if (alerts.length) this.onAlerts?.();
  }

  /** The active incidents by their bank id (cached for a second). */
  async activeByBank(): Promise<Map<number, Incident>> {
    const now = Date.now();
    if (!this.active || now - this.active.at > ACTIVE_CACHE_MS) {
      const list = await this.deps.incidents.list({ status: "active" });
      this.active = { at: now, byBank: new Map(list.map((i) => [i.bankId, i])) };
    }
    return this.active.byBank;
  }

  /**
   * The pipeline's hook, after a batch is committed: each submission that matched an active
   * incident's bank is a `match` event (and an `action` when its member's rules acted), and
   * each near-duplicate (not identical) of an incident signal is proposed as a variant, or
   * counted in the cluster of a proposal it is near. Never throws: a failure is logged.
   */
  async observe(items: readonly ObservedItem[], now = Date.now()): Promise<void> {
    try {
      const byBank = await this.activeByBank();
      if (byBank.size === 0) return;
      const events: NewIncidentEvent[] = [];
      for (const o of items) {
        const incidents = new Map<number, ObservedItem["matches"][number][]>();
        for (const m of o.matches)
          if (!m.suppressed && byBank.has(m.bankId)) {
            const inc = byBank.get(m.bankId)!;
            incidents.set(inc.id, [...(incidents.get(inc.id) ?? []), m]);
          }
        for (const [incidentId, ms] of incidents) {
          const first = ms[0]!;
          events.push({
            incidentId,
            at: o.matchedAt,
            kind: "match",
            orgId: o.item.orgId,
            itemId: o.item.id,
            signalId: first.signalId,
            detail: { type: first.type, kind: o.item.kind },
          });
          if (o.acted)
            events.push({
              incidentId,
              at: now,
              kind: "action",
              orgId: o.item.orgId,
              itemId: o.item.id,
              detail: { by: "rule" },
            });
          events.push(...(await this.variantsOf(incidentId, o, ms)));
        }
      }
      if (events.length) await this.deps.incidents.addEvents(events);
    } catch (error) {
      this.log.error({ err: error }, "recording incident matches failed");
    }
  }

  /** A member decided a review of a matched submission: its first action, for the incidents it matched. */
  async reviewed(itemId: number, orgId: number, at = Date.now()): Promise<void> {
    try {
      const byBank = await this.activeByBank();
      const events: NewIncidentEvent[] = [];
      for (const inc of new Set(byBank.values()))
        if ((await this.deps.incidents.itemsWithEvent(inc.id, "match", [itemId])).has(itemId))
          events.push({ incidentId: inc.id, at, kind: "action", orgId, itemId, detail: { by: "review" } });
      if (events.length) await this.deps.incidents.addEvents(events);
    } catch (error) {
      this.log.error({ err: error }, "recording an incident action failed");
    }
  }

  /** Variant proposals (or cluster sightings) for one submission's matches to one incident. */
  private async variantsOf(
    incidentId: number,
    o: ObservedItem,
    ms: ObservedItem["matches"],
  ): Promise<NewIncidentEvent[]> {
    const candidates: { type: VariantType; value: string; m: ObservedItem["matches"][number] }[] = [];
    const pdq = ms.filter((m) => m.type === "pdq");
    if (pdq.length && o.values.pdq && pdq.every((m) => (m.distance ?? 0) > 0))
      candidates.push({ type: "pdq", value: o.values.pdq, m: pdq[0]! });
    // A video is a variant unless it is a byte-identical copy of an incident artefact (its MD5,
    // SHA-256 or video MD5 matched too): a re-encoded copy often matches every frame (100%).
    const vpdq = ms.filter((m) => m.type === "vpdq");
    const exact = ms.some((m) => m.type === "md5" || m.type === "sha256" || m.type === "video_md5");
    if (vpdq.length && o.values.vpdq && (!exact || vpdq.every((m) => (m.queryMatchPercent ?? 100) < 100)))
      candidates.push({ type: "vpdq", value: o.values.vpdq, m: vpdq[0]! });
    const text = ms.filter((m) => m.type === "text");
    const body = o.item.text?.trim();
    if (text.length && body && text.every((m) => (m.similarity ?? 1) < 1))
      candidates.push({ type: "text", value: body.slice(0, TEXT_VARIANT_MAX), m: text[0]! });
    if (candidates.length === 0) return [];
    const events: NewIncidentEvent[] = [];
    const existing = await this.deps.incidents.variants(incidentId);
    for (const c of candidates) {
      const near = existing.find((v) => v.type === c.type && sameCluster(c.type, v.value, c.value));
      if (near) {
        await this.deps.incidents.sawVariant(near.id);
        events.push({
          incidentId,
          at: o.matchedAt,
          kind: "variant_seen",
          orgId: o.item.orgId,
          itemId: o.item.id,
          variantId: near.id,
        });
        continue;
      }
      const { variant, created } = await this.deps.incidents.proposeVariant({
        incidentId,
        type: c.type,
        value: c.value,
        itemId: o.item.id,
        orgId: o.item.orgId,
        nearSignalId: c.m.signalId,
        distance:
          c.type === "pdq" ? (c.m.distance ?? null) : c.type === "vpdq" ? 100 - (c.m.queryMatchPercent ?? 100) : null,
        similarity: c.type === "text" ? (c.m.similarity ?? null) : null,
        proposedAt: o.matchedAt,
      });
      if (created) existing.push(variant);
      events.push({
        incidentId,
        at: o.matchedAt,
        kind: created ? "variant_proposed" : "variant_seen",
        orgId: o.item.orgId,
        itemId: o.item.id,
        variantId: variant.id,
        signalId: c.m.signalId,
        detail: { type: c.type },
      });
    }
    return events;
  }
}

/** Whether two variant values are near enough to be one cluster. */
function sameCluster(type: VariantType, a: string, b: string): boolean {
  if (a === b) return true;
  if (type === "pdq") return hammingDistanceHex(a, b) <= VARIANT_CLUSTER_PDQ_BITS;
  if (type === "text")
    return jaccard(shingleHashes(normalizeText(a)), shingleHashes(normalizeText(b))) >= VARIANT_CLUSTER_TEXT_SIMILARITY;
  if (type === "vpdq") return vpdqNear(a, b) && vpdqNear(b, a);
  return false;
}

/**
 * Whether at least VARIANT_CLUSTER_VPDQ_PERCENT of `a`'s frames are within
 * VARIANT_CLUSTER_PDQ_BITS of a frame of `b` (python-threatexchange's rule, stricter distance).
 */
function vpdqNear(a: string, b: string): boolean {
  try {
    const fa = vpdqFrames(a);
    const fb = vpdqFrames(b).map((f) => f.hash);
    if (fa.length === 0 || fb.length === 0) return false;
    const near = fa.filter((f) => fb.some((h) => hammingDistanceHex(f.hash, h) <= VARIANT_CLUSTER_PDQ_BITS)).length;
    return (near * 100) / fa.length >= VARIANT_CLUSTER_VPDQ_PERCENT;
  } catch {
    return false;
  }
}
