/**
 * TAXII 2.1: discovery at /taxii2/, one API root at /taxii2/api/, a collection per bank the
 * caller may see, its objects and manifest (services/taxii.ts); objects written to a collection
 * of the caller's own organisation, and their status resources (services/taxii-writes.ts). Answers are
 * `application/taxii+json;version=2.1`; a client that accepts neither that nor JSON gets 406.
 * Authentication is rasd's: `Authorization: Bearer <API key>` (taxii2-client's `auth`).
 */

import type { FastifyReply, FastifyRequest } from "fastify";
import { Type, type Static } from "typebox";
import { RasdError } from "../../core/errors.js";
import type { Services } from "../../server/services.js";
import {
  STIX_MEDIA_TYPE,
  TAXII_MAX_LIMIT,
  TAXII_MEDIA_TYPE,
  TaxiiService,
  type TaxiiCollection,
  type TaxiiQuery,
} from "../../services/taxii.js";
import { TaxiiWrites } from "../../services/taxii-writes.js";
import { route, type RouteDef } from "../route.js";
import { auditEntry } from "./members.js";

/** The JSON body limit of the API (app.ts's default), as the API root says. */
const TAXII_MAX_CONTENT_LENGTH = 1024 * 1024;
const Open = (description: string) => Type.Object({}, { additionalProperties: true, description });
const CollectionParams = Type.Object({ id: Type.String() });
const ObjectParams = Type.Object({ id: Type.String(), object_id: Type.String() });
const ObjectsQuery = Type.Object(
  {
    added_after: Type.Optional(Type.String({ description: "RFC 3339 timestamp" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: TAXII_MAX_LIMIT })),
    next: Type.Optional(Type.String()),
    "match[type]": Type.Optional(Type.String()),
    "match[id]": Type.Optional(Type.String()),
    "match[version]": Type.Optional(Type.String()),
    "match[spec_version]": Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const Envelope = Type.Object({
  more: Type.Boolean(),
  next: Type.Optional(Type.String()),
  objects: Type.Array(Type.Unknown()),
});
const Manifest = Type.Object({
  more: Type.Boolean(),
  next: Type.Optional(Type.String()),
  objects: Type.Array(
    Type.Object({ id: Type.String(), date_added: Type.String(), version: Type.String(), media_type: Type.String() }),
  ),
});
const CollectionView = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  can_read: Type.Boolean(),
  can_write: Type.Boolean(),
  media_types: Type.Array(Type.String()),
});

/** The client must accept TAXII's media type, JSON, or anything. */
function negotiate(req: FastifyRequest): void {
  const accept = req.headers.accept;
  if (accept && !/application\/taxii\+json|application\/json|\*\/\*|application\/\*/.test(accept))
    throw new RasdError("not_acceptable", `Accept: ${accept}: this server answers ${TAXII_MEDIA_TYPE}`);
}

/**
 * Sends a TAXII answer with its media type exactly as TAXII writes it: clients compare its
 * parameters as text (taxii2-client splits on ";"), and fastify rewrites a JSON media type
 * (quoting the version, adding a charset) unless the body is bytes: so it is sent as bytes.
 */
function sendTaxii(reply: FastifyReply, body: unknown): undefined {
  void reply.header("content-type", TAXII_MEDIA_TYPE).send(Buffer.from(JSON.stringify(body), "utf8"));
  return undefined;
}

function timestamp(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(raw) || Number.isNaN(ms))
    throw new RasdError("invalid", `${name}: "${raw}" is not an RFC 3339 timestamp in UTC (…Z)`);
  return ms;
}

const list = (raw: string | undefined) =>
  raw === undefined
    ? undefined
    : raw
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x !== "");

/** The objects and manifest resources' URL parameters, as the service takes them. */
function objectsQuery(q: Static<typeof ObjectsQuery>): TaxiiQuery {
  return {
    ...(q.added_after !== undefined ? { addedAfter: timestamp(q.added_after, "added_after") } : {}),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
    ...(q.next !== undefined ? { next: q.next } : {}),
    ...(q["match[type]"] !== undefined ? { types: list(q["match[type]"]) } : {}),
    ...(q["match[id]"] !== undefined ? { ids: list(q["match[id]"]) } : {}),
    ...(q["match[version]"] !== undefined ? { versions: list(q["match[version]"]) } : {}),
    ...(q["match[spec_version]"] !== undefined ? { specVersions: list(q["match[spec_version]"]) } : {}),
  };
}

/**
 * TAXII 2.1 §5.4, 5.3, 5.6 and 5.8: the objects, manifest, one object and versions answers say
 * the date_added of their first and last entries.
 */
function dateAdded(reply: FastifyReply, first: number | undefined, last: number | undefined): void {
  if (first !== undefined) void reply.header("x-taxii-date-added-first", new Date(first).toISOString());
  if (last !== undefined) void reply.header("x-taxii-date-added-last", new Date(last).toISOString());
}

const StatusParams = Type.Object({ status_id: Type.String() });
const StatusDetail = Type.Object({ id: Type.String(), version: Type.String(), message: Type.Optional(Type.String()) });
const StatusView = Type.Object({
  id: Type.String(),
  status: Type.String(),
  request_timestamp: Type.String(),
  total_count: Type.Integer(),
  success_count: Type.Integer(),
  successes: Type.Array(StatusDetail),
  failure_count: Type.Integer(),
  failures: Type.Array(StatusDetail),
  pending_count: Type.Integer(),
  pendings: Type.Array(StatusDetail),
});

function collectionView(c: TaxiiCollection, canWrite: boolean) {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    can_read: true,
    can_write: canWrite,
    media_types: [STIX_MEDIA_TYPE],
  };
}

export function taxiiRoutes(s: Services): RouteDef[] {
  const taxii = new TaxiiService(s.store, s.access, s.config.opinionOrgs);
  const writes = new TaxiiWrites(taxii, s.access, s.banks, s.exchanges.store);
  const view = async (who: Parameters<TaxiiWrites["canWrite"]>[0], c: TaxiiCollection) =>
    collectionView(c, await writes.canWrite(who, c.bank.id));
  const common = { access: "signal.read" as const, tags: ["taxii"], taxiiErrors: true };
  return [
    route({
      ...common,
      method: "GET",
      url: "/taxii2/",
      summary: "TAXII 2.1 discovery: this server's one API root",
      schema: { response: { 200: Open("TAXII discovery resource") } },
      handler: async (req, reply) => {
        negotiate(req);
        return sendTaxii(reply, {
          title: "rasd",
          description: "Banks of signals shared under TLP 2.0, as STIX 2.1 Indicators",
          default: "/taxii2/api/",
          api_roots: ["/taxii2/api/"],
        });
      },
    }),
    route({
      ...common,
      method: "GET",
      url: "/taxii2/api/",
      summary: "TAXII 2.1 API root",
      schema: { response: { 200: Open("TAXII API root resource") } },
      handler: async (req, reply) => {
        negotiate(req);
        return sendTaxii(reply, {
          title: "rasd banks",
          versions: [TAXII_MEDIA_TYPE],
          max_content_length: TAXII_MAX_CONTENT_LENGTH,
        });
      },
    }),
    route({
      ...common,
      method: "GET",
      url: "/taxii2/api/collections/",
      summary: "TAXII 2.1 collections: the banks the caller may see (read-only)",
      schema: { response: { 200: Type.Object({ collections: Type.Array(CollectionView) }) } },
      handler: async (req, reply, who) => {
        negotiate(req);
        return sendTaxii(reply, {
          collections: await Promise.all((await taxii.collections(who)).map((c) => view(who, c))),
        });
      },
    }),
    route({
      ...common,
      method: "GET",
      url: "/taxii2/api/collections/:id/",
      summary: "TAXII 2.1 collection",
      schema: { params: CollectionParams, response: { 200: CollectionView } },
      handler: async (req, reply, who) => {
        negotiate(req);
        return sendTaxii(reply, await view(who, await taxii.collection(who, req.params.id)));
      },
    }),
    route({
      ...common,
      method: "GET",
      url: "/taxii2/api/collections/:id/objects/",
      summary:
        "TAXII 2.1 objects: the bank's Indicators (added_after, limit, next, match[type], match[id], match[version], match[spec_version])",
      schema: { params: CollectionParams, querystring: ObjectsQuery, response: { 200: Envelope } },
      handler: async (req, reply, who) => {
        negotiate(req);
        const page = await taxii.objects(who, req.params.id, objectsQuery(req.query));
        dateAdded(reply, page.first, page.last);
        return sendTaxii(reply, {
          more: page.more,
          ...(page.next !== undefined ? { next: page.next } : {}),
          objects: page.objects,
        });
      },
    }),
    route({
      ...common,
      method: "GET",
      url: "/taxii2/api/collections/:id/manifest/",
      summary: "TAXII 2.1 manifest: each object's id, date added and version",
      schema: { params: CollectionParams, querystring: ObjectsQuery, response: { 200: Manifest } },
      handler: async (req, reply, who) => {
        negotiate(req);
        const page = await taxii.objects(who, req.params.id, objectsQuery(req.query));
        dateAdded(reply, page.first, page.last);
        return sendTaxii(reply, {
          more: page.more,
          ...(page.next !== undefined ? { next: page.next } : {}),
          objects: page.objects.map((o) => ({
            id: o.id,
            date_added: String(o.modified),
            version: String(o.modified),
            media_type: STIX_MEDIA_TYPE,
          })),
        });
      },
    }),
    route({
      ...common,
      method: "GET",
      url: "/taxii2/api/collections/:id/objects/:object_id/",
      summary: "TAXII 2.1 one object (its one version: rasd keeps a signal's latest state)",
      schema: { params: ObjectParams, response: { 200: Envelope } },
      handler: async (req, reply, who) => {
        negotiate(req);
        const found = await taxii.object(who, req.params.id, req.params.object_id);
        dateAdded(reply, found.added, found.added);
        return sendTaxii(reply, { more: false, objects: [found.object] });
      },
    }),
    route({
      ...common,
      method: "GET",
      url: "/taxii2/api/collections/:id/objects/:object_id/versions/",
      summary: "TAXII 2.1 an object's versions (one)",
      schema: {
        params: ObjectParams,
        response: { 200: Type.Object({ more: Type.Boolean(), versions: Type.Array(Type.String()) }) },
      },
      handler: async (req, reply, who) => {
        negotiate(req);
        const found = await taxii.object(who, req.params.id, req.params.object_id);
        dateAdded(reply, found.added, found.added);
        return sendTaxii(reply, { more: false, versions: [String(found.object.modified)] });
      },
    }),
    route({
      ...common,
      method: "POST",
      url: "/taxii2/api/collections/:id/objects/",
      access: "signal.write",
      summary:
        "TAXII 2.1 add objects: STIX Indicators into a collection of the caller's organisation (revoked ones retract) and Opinions, the caller's organisation's, about Indicators of a collection it may read; answers a status resource",
      schema: {
        params: CollectionParams,
        body: Open("A TAXII envelope: {objects: [...]}"),
        response: { 202: StatusView },
      },
      handler: async (req, reply, who) => {
        negotiate(req);
        const { status, opinions } = await writes.addObjects(who, req.params.id, req.body);
        // As POST/DELETE /v1/signals/<id>/opinions: audited, and sent back to a mirrored signal's owner.
        for (const o of opinions) {
          await s.access.audit(
            auditEntry(
              req,
              who,
              o.kind === null ? "signal.opinion.retract" : "signal.opinion",
              `signal:${o.signal.id}`,
              o.kind === null ? { via: "taxii" } : { kind: o.kind, via: "taxii" },
            ),
          );
          await s.exchanges.relayOpinion(o.signal, who.orgId, o.kind, o.note);
        }
        void reply.status(202);
        return sendTaxii(reply, status);
      },
    }),
    route({
      ...common,
      method: "GET",
      url: "/taxii2/api/status/:status_id/",
      summary: "TAXII 2.1 status resource of an add objects request (the caller's organisation's only)",
      schema: { params: StatusParams, response: { 200: StatusView } },
      handler: async (req, reply, who) => {
        negotiate(req);
        return sendTaxii(reply, await writes.status(who, req.params.status_id));
      },
    }),
  ];
}
