/**
 * The crisis protocol's API (issue 20; docs/crisis.md): declare an incident, list and read
 * them (every member sees every incident: each is alerted), add artefacts (hashes, URLs or an
 * uploaded image or video, hashed as submissions are), accept or reject proposed variants,
 * close, and the debrief as JSON, CSV and HTML with the events it is computed from.
 */

import type { FastifyReply } from "fastify";
import { Type, type Static } from "typebox";
import { RasdError, describeError, isRasdError } from "../../core/errors.js";
import { serviceImageLimits } from "../../media/decode-gate.js";
import {
  INCIDENT_STATUSES,
  MAX_DECLARE_FILES,
  VARIANT_STATUSES,
  computeDebrief,
  timeline,
  type Incident,
} from "../../core/incidents.js";
import type { IncidentEvent, Variant } from "../../core/incidents.js";
import { webhookOrigin } from "../../core/webhook-endpoints.js";
import { debriefCsv, debriefHtml, debriefView, eventsCsv, incidentView } from "../../report/incident.js";
import type { Services } from "../../server/services.js";
import type { Principal } from "../../services/access.js";
import type { IncidentActor } from "../../services/incidents.js";
import { hashMedia } from "../../services/media-hashing.js";
import type { RawSignal } from "../../services/signal-input.js";
import { MEDIA_SIGNAL_TYPES } from "../../signals/registry.js";
import { idParam, route, type RouteDef } from "../route.js";
import { StringEnum } from "../schemas/common.js";
import type { IncidentEventView } from "../schemas/incidents.js";
import { DebriefView, IncidentDetailView, IncidentView, VariantView } from "../schemas/incidents.js";
import { iso } from "../views.js";
import { FIELD_SIZE_LIMIT, checkFieldWhole, streamToFile, type UploadedFile } from "../upload.js";
import { readMultipart } from "./content-input.js";
import { describePrincipal } from "../../services/access.js";
import type { FastifyRequest } from "fastify";

const Artefact = Type.Object(
  {
    type: Type.String({ description: "pdq, vpdq, md5, sha256, video_md5, url, domain or text" }),
    value: Type.String({ minLength: 1, maxLength: 100_000 }),
  },
  { additionalProperties: false },
);

const Artefacts = {
  signals: Type.Optional(Type.Array(Artefact, { maxItems: 1000, description: "Hashes or texts of known artefacts" })),
  urls: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), {
      maxItems: 1000,
      description: "URLs where artefacts are",
    }),
  ),
};

const ArtefactsBody = Type.Object(Artefacts, { additionalProperties: false });

const DeclareBody = Type.Object(
  {
    tier: Type.Integer({ minimum: 1, maximum: 3, description: "1 (most severe) to 3; criteria in docs/crisis.md" }),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    drill: Type.Optional(Type.Boolean({ description: "An exercise: same protocol, excluded from real figures" })),
    ...Artefacts,
  },
  { additionalProperties: false },
);

const PatchBody = Type.Object(
  {
    tier: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    improve: Type.Optional(Type.String({ maxLength: 20_000, description: "The debrief's 'what to improve'" })),
  },
  { additionalProperties: false },
);

const Counts = Type.Object({ proposed: Type.Integer(), accepted: Type.Integer(), rejected: Type.Integer() });

function actor(req: FastifyRequest, who: Principal): IncidentActor {
  return { orgId: who.orgId, personId: who.personId, role: who.role, actor: describePrincipal(who), source: req.ip };
}

function artefacts(body: { signals?: { type: string; value: string }[]; urls?: string[] }): RawSignal[] {
  return [...(body.signals ?? []), ...(body.urls ?? []).map((value) => ({ type: "url", value }))];
}

/** A JSON declaration (validated by its schema when sent; a request without a body is refused here). */
function declareJson(body: unknown): Static<typeof DeclareBody> {
  if (body === undefined || body === null || typeof body !== "object")
    throw new RasdError(
      "invalid",
      "body: send JSON {tier, title, description?, drill?, signals?, urls?} or multipart/form-data with files",
    );
  return body as Static<typeof DeclareBody>;
}

/** The most files one multipart declaration may carry. */
/**
 * File parts a declaration's parser counts before it stops reading: past MAX_DECLARE_FILES
 * the rest are skipped unread, only to say how many were sent.
 */
const COUNTED_FILES = 100;
/** Text fields (tier, title, signal lines, urls, ...) a declaration may send. */
const MAX_DECLARE_FIELDS = 40;
const DECLARE_FIELDS = new Set(["tier", "title", "description", "drill", "signal", "url"]);

/** A raw artefact "TYPE:VALUE" (a multipart signal field), checked for its shape. */
function typedValue(line: string, n: number): { type: string; value: string } {
  const at = line.indexOf(":");
  if (at <= 0 || at === line.length - 1)
    throw new RasdError("invalid", `signal ${n}: expected TYPE:VALUE (e.g. pdq:<64 hex>), got "${line.slice(0, 40)}"`);
  return { type: line.slice(0, at).trim(), value: line.slice(at + 1).trim() };
}

/**
 * A multipart declaration: its fields, and each file part (image or video) streamed to disk and
 * hashed as submissions are (PDQ or vPDQ, MD5, SHA-256) — the files are not kept.
 */
async function readDeclareParts(
  req: FastifyRequest,
  dataDir: string,
): Promise<Static<typeof DeclareBody> & { files: RawSignal[] }> {
  const fields: Record<string, string> = {};
  const signals: { type: string; value: string }[] = [];
  const urls: string[] = [];
  const files: RawSignal[] = [];
  // Files are kept on disk until every part is read: a declaration with too many is refused
  // before any is hashed, and a bad one declares nothing.
  const uploads: { file: UploadedFile; kind: "image" | "video"; n: number }[] = [];
  let count = 0;
  try {
    try {
      // The service allows one file a request; a declaration up to MAX_DECLARE_FILES. The parser
      // lets more through (skipped unread) so that the refusal can say how many were sent.
      const parts = req.parts({
        limits: {
          files: COUNTED_FILES,
          fields: MAX_DECLARE_FIELDS,
          parts: COUNTED_FILES + MAX_DECLARE_FIELDS,
          fieldSize: FIELD_SIZE_LIMIT,
        },
      });
      for await (const part of parts) {
        if (part.type === "file") {
          const kind = part.fieldname === "image" || part.fieldname === "video" ? part.fieldname : undefined;
          if (!kind) {
            part.file.resume();
            throw new RasdError("invalid", `file part "${part.fieldname}": name it "image" or "video"`);
          }
          const n = ++count;
          if (n > MAX_DECLARE_FILES) {
            part.file.resume();
            continue;
          }
          const file = await streamToFile(part.file, dataDir, part.fieldname, part.mimetype).catch((error: unknown) => {
            if (isRasdError(error))
              throw new RasdError(error.code, `file ${n} (${kind}): ${error.message}`, { cause: error });
            throw error;
          });
          uploads.push({ file, kind, n });
        } else {
          if (count > MAX_DECLARE_FILES) continue;
          if (!DECLARE_FIELDS.has(part.fieldname)) throw new RasdError("invalid", `unknown field "${part.fieldname}"`);
          checkFieldWhole(part);
          if (typeof part.value !== "string") throw new RasdError("invalid", `field "${part.fieldname}" must be text`);
          const value = part.value;
          if (part.fieldname === "signal") {
            // One signal a field, or several a line (the web form's text area).
            for (const line of value.split("\n").map((l) => l.trim()))
              if (line !== "") signals.push(typedValue(line, signals.length + 1));
          } else if (part.fieldname === "url") {
            if (value.trim() !== "") urls.push(value.trim());
          } else if (part.fieldname in fields) throw new RasdError("invalid", `field "${part.fieldname}" given twice`);
          else fields[part.fieldname] = value;
        }
      }
    } catch (error) {
      if (isRasdError(error)) throw error;
      const limit = declareLimitError(error);
      if (limit) throw limit;
      if (typeof (error as { statusCode?: unknown }).statusCode === "number") throw error;
      throw new RasdError("invalid", `malformed multipart/form-data body: ${describeError(error)}`, { cause: error });
    }
    if (count > MAX_DECLARE_FILES) throw tooManyFiles(String(count));
    for (const { file, kind, n } of uploads) {
      if (file.size === 0) throw new RasdError("invalid", `file ${n} (${kind}): empty (0 bytes)`);
      const maxBytes = kind === "image" ? serviceImageLimits().maxBytes : Number.MAX_SAFE_INTEGER;
      if (file.size > maxBytes)
        throw new RasdError(
          "file.too_large",
          `file ${n} (image): ${file.size} bytes; the limit for an image is ${maxBytes} bytes; nothing was stored`,
        );
      const hashed = await hashMedia(() => file.read(maxBytes), kind, MEDIA_SIGNAL_TYPES[kind], {
        wait: "request",
        path: file.path,
        digests: { md5: file.md5, sha256: file.sha256 },
      }).catch((error: unknown) => {
        if (error instanceof RasdError)
          throw new RasdError(error.code, `file ${n} (${kind}): ${error.message}`, { cause: error });
        throw error;
      });
      for (const [type, value] of Object.entries(hashed.values))
        files.push({ type, value, ...(type === "pdq" && hashed.pdq ? { quality: hashed.pdq.quality } : {}) });
    }
  } finally {
    await Promise.all(uploads.map((u) => u.file.remove()));
  }
  const tier = Number(fields.tier);
  if (!/^[123]$/.test((fields.tier ?? "").trim()))
    throw new RasdError("invalid", "tier: 1, 2 or 3 (criteria in docs/crisis.md)");
  if (fields.title === undefined) throw new RasdError("invalid", "title: required");
  const drill = (fields.drill ?? "false").trim().toLowerCase();
  if (drill !== "true" && drill !== "false") throw new RasdError("invalid", 'drill: "true" or "false"');
  return {
    tier,
    title: fields.title,
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    drill: drill === "true",
    signals,
    urls,
    files,
  };
}

/** The refusal of a declaration with more files than it takes (`sent`: how many, or "more than N"). */
function tooManyFiles(sent: string): RasdError {
  return new RasdError(
    "invalid",
    `image/video: ${sent} files were sent; a declaration takes at most ${MAX_DECLARE_FILES} (file parts named "image" or "video"). ` +
      "Declare with the first ones and add the rest with POST /v1/incidents/{id}/artefacts; nothing was stored",
  );
}

/** The multipart parser's own limits, said in the declaration's words (undefined: not one of them). */
function declareLimitError(error: unknown): RasdError | undefined {
  switch ((error as { code?: unknown }).code) {
    case "FST_FILES_LIMIT":
      return tooManyFiles(`more than ${COUNTED_FILES}`);
    case "FST_FIELDS_LIMIT":
      return new RasdError(
        "invalid",
        `more than ${MAX_DECLARE_FIELDS} text fields were sent; a declaration takes at most ${MAX_DECLARE_FIELDS} ` +
          "(put several signals in one signal field, a line each); nothing was stored",
      );
    case "FST_PARTS_LIMIT":
      return new RasdError(
        "invalid",
        `more than ${COUNTED_FILES + MAX_DECLARE_FIELDS} parts were sent; a declaration takes at most ` +
          `${MAX_DECLARE_FILES} files and ${MAX_DECLARE_FIELDS} text fields; nothing was stored`,
      );
    default:
      return undefined;
  }
}

export function incidentRoutes(s: Services): RouteDef[] {
  const orgNames = async () => new Map((await s.store.listOrgs()).map((o) => [o.id, o.name]));
  const bankNames = new Map<number, string>();
  const bankName = async (id: number) => {
    if (!bankNames.has(id)) bankNames.set(id, (await s.store.getBank(id))?.name ?? "");
    return bankNames.get(id)!;
  };
  const view = async (i: Incident, who: Principal, orgs?: Map<number, string>): Promise<IncidentView> =>
    incidentView(
      i,
      { org: (orgs ?? (await orgNames())).get(i.orgId) ?? "", bank: await bankName(i.bankId) },
      who.orgId === i.orgId && who.role === "admin",
    );
  const eventView = (e: IncidentEvent, orgs: Map<number, string>): IncidentEventView => ({
    id: e.id,
    at: iso(e.at)!,
    at_ms: e.at,
    kind: e.kind,
    org_id: e.orgId,
    org: e.orgId === null ? null : (orgs.get(e.orgId) ?? null),
    item_id: e.itemId,
    signal_id: e.signalId,
    variant_id: e.variantId,
    detail: { ...e.detail },
  });
  const variantView = (v: Variant): VariantView => ({
    id: v.id,
    incident_id: v.incidentId,
    type: v.type,
    value: v.value,
    item_id: v.itemId,
    org_id: v.orgId,
    near_signal_id: v.nearSignalId,
    distance: v.distance,
    similarity: v.similarity,
    seen: v.seen,
    status: v.status,
    proposed_at: iso(v.proposedAt)!,
    decided_at: iso(v.decidedAt),
    signal_id: v.signalId,
  });
  const debriefOf = async (req: FastifyRequest, who: Principal) => {
    const { incident, debrief, orgs } = await s.incidents.debrief(idParam(req));
    return debriefView(await view(incident, who, orgs), debrief, orgs);
  };
  const send = (reply: FastifyReply, type: string, name: string, body: string) => {
    void reply.type(type).header("content-disposition", `inline; filename="${name}"`);
    return body;
  };

  return [
    route({
      method: "GET",
      url: "/v1/incidents",
      access: "incident.read",
      summary: "Incidents of the crisis protocol, newest first (every member sees every incident)",
      tags: ["incidents"],
      schema: {
        querystring: Type.Object(
          { status: Type.Optional(StringEnum(INCIDENT_STATUSES)) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ incidents: Type.Array(IncidentView) }) },
      },
      handler: async (req, _reply, who) => {
        const orgs = await orgNames();
        const list = await s.incidents.list(req.query.status);
        return { incidents: await Promise.all(list.map((i) => view(i, who, orgs))) };
      },
    }),
    route({
      method: "POST",
      url: "/v1/incidents",
      access: "incident.write",
      summary:
        "Declare an incident (an admin of a government organisation): its bank is shared with every member at once and every member's webhook receivers are alerted. JSON, or multipart with the first artefacts as files (image/video parts, hashed as submissions are)",
      tags: ["incidents"],
      multipart: true,
      schema: {
        body: {
          content: {
            "application/json": { schema: DeclareBody },
            "multipart/form-data": {
              // Parsed by the handler (req.parts()), so the schema only documents the parts.
              schema: {
                description: `Fields tier, title, description, drill (true/false), signal (repeatable, TYPE:VALUE), url (repeatable); up to ${MAX_DECLARE_FILES} file parts named image or video, each hashed (PDQ or vPDQ, MD5, SHA-256) as submissions are`,
                properties: {
                  tier: { type: "integer", minimum: 1, maximum: 3 },
                  title: { type: "string", maxLength: 200 },
                  description: { type: "string", maxLength: 4000 },
                  drill: { type: "string", enum: ["true", "false"] },
                  signal: { type: "array", items: { type: "string" } },
                  url: { type: "array", items: { type: "string" } },
                  image: { type: "array", items: { type: "string", format: "binary" } },
                  video: { type: "array", items: { type: "string", format: "binary" } },
                },
              },
            },
          },
        },
        response: { 201: IncidentView },
      },
      handler: async (req, reply, who) => {
        // Every file is hashed before anything is written: a bad file declares nothing.
        const b: Static<typeof DeclareBody> & { files?: RawSignal[] } = req.isMultipart()
          ? await readDeclareParts(req, s.config.dataDir)
          : declareJson(req.body);
        const incident = await s.incidents.declare(actor(req, who), {
          tier: b.tier,
          title: b.title,
          ...(b.description !== undefined ? { description: b.description } : {}),
          drill: b.drill ?? false,
          signals: [...artefacts(b), ...(b.files ?? [])],
        });
        void reply.status(201);
        return view(incident, who);
      },
    }),
    route({
      method: "GET",
      url: "/v1/incidents/:id",
      access: "incident.read",
      summary: "One incident: its timeline, variant counts, alerts sent and live debrief figures",
      tags: ["incidents"],
      schema: { response: { 200: IncidentDetailView } },
      handler: async (req, _reply, who) => {
        const incident = await s.incidents.get(idParam(req));
        const orgs = await orgNames();
        const events = await s.incidents.events(incident.id);
        const debrief = computeDebrief(incident.id, incident.drill, events);
        const signals = (await s.store.listSignals(incident.bankId, { limit: 10_000 })).filter(
          (x) => x.status === "active",
        );
        // Alerts name each member's receiver: a member sees its own, the declaring organisation all.
        const alerts = (await s.stores.incidents.alerts(incident.id)).filter(
          (a) => a.orgId === who.orgId || (who.orgId === incident.orgId && who.role === "admin"),
        );
        return {
          incident: await view(incident, who, orgs),
          signals: signals.length,
          timeline: timeline(events).map((e) => eventView(e, orgs)),
          variants: debrief.variants,
          alerts: alerts.map((a) => ({
            org_id: a.orgId,
            event: a.event,
            delivery_id: a.deliveryId,
            origin: webhookOrigin(a.target),
            status: a.status,
            attempts: a.attempts,
            created_at: iso(a.createdAt)!,
            delivered_at: iso(a.deliveredAt),
            last_error: a.lastError,
          })),
          debrief: debriefView(await view(incident, who, orgs), debrief, orgs),
        };
      },
    }),
    route({
      method: "PATCH",
      url: "/v1/incidents/:id",
      access: "incident.write",
      summary:
        "Change an incident's tier, title or description (members alerted: incident.updated) or its 'what to improve'",
      tags: ["incidents"],
      schema: { body: PatchBody, response: { 200: IncidentView } },
      handler: async (req, _reply, who) => view(await s.incidents.update(actor(req, who), idParam(req), req.body), who),
    }),
    route({
      method: "POST",
      url: "/v1/incidents/:id/artefacts",
      access: "incident.write",
      summary:
        "Add artefacts to an active incident: JSON {signals, urls}, or multipart with one file part named image or video (hashed as submissions are)",
      tags: ["incidents"],
      multipart: true,
      schema: {
        body: {
          content: {
            "application/json": { schema: ArtefactsBody },
            "multipart/form-data": {
              // Parsed by the handler (req.parts()), so the schema only documents the part.
              schema: {
                description: "One file part named image or video",
                properties: {
                  image: { type: "string", format: "binary" },
                  video: { type: "string", format: "binary" },
                },
              },
            },
          },
        },
        response: {
          200: Type.Object({
            added: Type.Array(Type.Object({ id: Type.Integer(), type: Type.String(), value: Type.String() })),
          }),
        },
      },
      handler: async (req, _reply, who) => {
        let raw: RawSignal[];
        if (req.isMultipart()) {
          const { kind, media } = await readMultipart(req, s.config.dataDir);
          if (kind !== "image" && kind !== "video") throw new RasdError("invalid", "send an image or a video");
          const hashed = await hashMedia(media, kind, MEDIA_SIGNAL_TYPES[kind], { wait: "request" });
          raw = Object.entries(hashed.values).map(([type, value]) => ({
            type,
            value,
            ...(type === "pdq" && hashed.pdq ? { quality: hashed.pdq.quality } : {}),
          }));
        } else raw = artefacts((req.body as Static<typeof ArtefactsBody> | undefined) ?? {});
        const added = await s.incidents.addArtefacts(actor(req, who), idParam(req), raw);
        return { added: added.map((x) => ({ id: x.id, type: x.type, value: x.value })) };
      },
    }),
    route({
      method: "GET",
      url: "/v1/incidents/:id/variants",
      access: "incident.read",
      summary: "Near-duplicates of the incident's signals found in members' submissions, proposed to its bank",
      tags: ["incidents"],
      schema: {
        querystring: Type.Object(
          { status: Type.Optional(StringEnum(VARIANT_STATUSES)) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ variants: Type.Array(VariantView), counts: Counts }) },
      },
      handler: async (req, _reply) => {
        const id = idParam(req);
        const all = await s.incidents.variants(id);
        const counts = { proposed: 0, accepted: 0, rejected: 0 };
        for (const v of all) counts[v.status]++;
        const status = req.query.status;
        return { variants: all.filter((v) => !status || v.status === status).map(variantView), counts };
      },
    }),
    ...(["accept", "reject"] as const).map((verb) =>
      route({
        method: "POST",
        url: `/v1/incidents/:id/variants/:variant/${verb}`,
        access: "incident.write",
        summary:
          verb === "accept"
            ? "Accept a proposed variant: it becomes a signal of the incident bank, shared with every member"
            : "Reject a proposed variant",
        tags: ["incidents"],
        schema: { response: { 200: VariantView } },
        handler: async (req, _reply, who) =>
          variantView(
            await s.incidents.decideVariant(actor(req, who), idParam(req), idParam(req, "variant"), verb === "accept"),
          ),
      }),
    ),
    route({
      method: "POST",
      url: "/v1/incidents/:id/close",
      access: "incident.write",
      summary: "Close an incident (members alerted: incident.closed); the debrief's figures stop there",
      tags: ["incidents"],
      schema: {
        body: Type.Optional(
          Type.Object({ improve: Type.Optional(Type.String({ maxLength: 20_000 })) }, { additionalProperties: false }),
        ),
        response: { 200: IncidentView },
      },
      handler: async (req, _reply, who) =>
        view(await s.incidents.close(actor(req, who), idParam(req), req.body?.improve), who),
    }),
    route({
      method: "GET",
      url: "/v1/incidents/:id/debrief",
      access: "incident.read",
      summary:
        "The debrief (JSON): declaration → first hash shared → first match per member → 90% of matched copies actioned; variants; members who never acted",
      tags: ["incidents"],
      schema: { response: { 200: DebriefView } },
      handler: async (req, _reply, who) => debriefOf(req, who),
    }),
    route({
      method: "GET",
      url: "/v1/incidents/:id/debrief.json",
      access: "incident.read",
      summary: "The debrief as a JSON file",
      tags: ["incidents"],
      schema: { response: { 200: DebriefView } },
      handler: async (req, reply, who) => {
        const d = await debriefOf(req, who);
        void reply.header("content-disposition", `attachment; filename="incident-${d.incident.id}-debrief.json"`);
        return d;
      },
    }),
    route({
      method: "GET",
      url: "/v1/incidents/:id/debrief.csv",
      access: "incident.read",
      summary: "The debrief as CSV: one figure a row",
      tags: ["incidents"],
      schema: { response: { 200: { content: { "text/csv": { schema: Type.String() } } } } },
      handler: async (req, reply, who) => {
        const d = await debriefOf(req, who);
        return send(reply, "text/csv; charset=utf-8", `incident-${d.incident.id}-debrief.csv`, debriefCsv(d));
      },
    }),
    route({
      method: "GET",
      url: "/v1/incidents/:id/debrief.html",
      access: "incident.read",
      summary: "The debrief as one HTML page (no scripts)",
      tags: ["incidents"],
      schema: { response: { 200: { content: { "text/html": { schema: Type.String() } } } } },
      handler: async (req, reply, who) => {
        const d = await debriefOf(req, who);
        return send(reply, "text/html; charset=utf-8", `incident-${d.incident.id}-debrief.html`, debriefHtml(d));
      },
    }),
    route({
      method: "GET",
      url: "/v1/incidents/:id/events.csv",
      access: "incident.read",
      summary: "Every stored event of the incident (the debrief recomputes from these)",
      tags: ["incidents"],
      schema: { response: { 200: { content: { "text/csv": { schema: Type.String() } } } } },
      handler: async (req, reply) => {
        const incident = await s.incidents.get(idParam(req));
        return send(
          reply,
          "text/csv; charset=utf-8",
          `incident-${incident.id}-events.csv`,
          eventsCsv(await s.incidents.events(incident.id)),
        );
      },
    }),
  ];
}
