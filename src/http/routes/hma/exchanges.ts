/**
 * HMA's exchanges API (/c/exchanges, /c/exchanges/apis, /c/exchanges/api/<api>[/schema],
 * /c/exchange/<name>[/status]) over rasd's exchanges (services/exchanges/). An exchange
 * belongs to the caller's organisation and writes into a bank of its name; another
 * organisation's exchange answers as missing. Credentials are accepted (sealed at rest) and
 * never answered: a view says only whether they are set. As HMA, POST /c/exchanges/api/<api>
 * keeps credentials per API (the organisation's, for its exchanges of that API now and to come;
 * decision 0047); an exchange may also carry its own (credential_json), which come first.
 * Differences from HMA: `tlp` (the bank's marking) and POST /c/exchange/<name>/fetch (fetch
 * now) are rasd extensions, and DELETE deletes the exchange's bank too unless `keep_bank=1`.
 */

import { Type } from "typebox";
import { RasdError, isRasdError } from "../../../core/errors.js";
import type { Tlp } from "../../../core/model.js";
import { exchangeJson, reportJson, statusJson } from "../../../services/exchanges/views.js";
import { route, type RouteDef } from "../../route.js";
import { HmaMessageView } from "../../schemas/hma.js";
import { auditEntry } from "../members.js";
import { AnyBody, HMA_TLP, fail, isObject, parseBool, type HmaContext } from "./common.js";
import { withHmaFields } from "./exchange-schema.js";

const ExchangeParams = Type.Object({ exchange_name: Type.String() });
const ApiParams = Type.Object({ api_name: Type.String() });

export const ExchangeStatusView = Type.Object({
  name: Type.String({ description: "The exchange's name (not in HMA's FetchStatus)" }),
  checkpoint_ts: Type.Union([Type.Number(), Type.Null()], { description: "Unix seconds the checkpoint stands for" }),
  checkpoint: Type.Union([Type.String(), Type.Null()]),
  running_fetch_start_ts: Type.Union([Type.Number(), Type.Null()]),
  last_fetch_complete_ts: Type.Union([Type.Number(), Type.Null()]),
  last_fetch_succeeded: Type.Union([Type.Boolean(), Type.Null()]),
  up_to_date: Type.Boolean(),
  fetched_items: Type.Number(),
  failures: Type.Number({ description: "Failed fetches in a row" }),
  last_error: Type.Union([Type.String(), Type.Null()]),
  next_fetch_ts: Type.Number(),
});

export const ExchangeView = Type.Object(
  {
    name: Type.String(),
    api: Type.String(),
    enabled: Type.Boolean(),
    bank: Type.String(),
    tlp: Type.String(),
    api_json: Type.Record(Type.String(), Type.Unknown()),
    has_credentials: Type.Boolean({ description: "Credentials are set (they are never shown)" }),
    status: ExchangeStatusView,
  },
  { additionalProperties: true },
);

const ReportView = Type.Object({
  steps: Type.Number(),
  added: Type.Number(),
  retracted: Type.Number(),
  withheld: Type.Number({ description: "Items the remote marks stricter than the bank's TLP" }),
  skipped: Type.Number({ description: "Items rasd cannot hold (unknown types, other STIX objects' patterns)" }),
  opinions: Type.Number({ description: "The remote members' opinions kept, changed or taken away" }),
  up_to_date: Type.Boolean(),
  error: Type.Union([Type.String(), Type.Null()]),
});

function objectField(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) fail(400, `Field \`${field}\` must be object`);
  return value;
}

/** HMA's words for rasd's refusals of an exchange's settings. */
async function hmaAnswer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isRasdError(error) && error.code === "invalid") fail(400, error.message);
    if (isRasdError(error) && error.code === "conflict") fail(409, error.message);
    if (isRasdError(error) && error.code === "not_found") fail(404, error.message);
    throw error;
  }
}

export function hmaExchangeRoutes(c: HmaContext): RouteDef[] {
  const { s } = c;
  const x = s.exchanges;
  /** HMA's has_set_authentification: the organisation's credentials for the API, or every one of its exchanges of it has its own. */
  const hasCredentials = async (orgId: number, api: string): Promise<boolean> => {
    if (await x.hasApiCredentials(orgId, api)) return true;
    const mine = (await x.list(orgId)).filter((e) => e.api === api);
    return mine.length > 0 && mine.every((e) => e.credentials !== null);
  };
  return [
    route({
      method: "GET",
      url: "/c/exchanges/apis",
      access: "bank.read",
      summary: "HMA: the exchange APIs (supported or not: see /c/exchanges/api/<api>/schema)",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: { response: { 200: Type.Array(Type.String()) } },
      handler: async () => x.apis().map((a) => a.name),
    }),
    route({
      method: "GET",
      url: "/c/exchanges/api/:api_name",
      access: "bank.read",
      summary:
        "HMA: whether an exchange API takes credentials and whether the organisation's exchanges of it have them",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: {
        params: ApiParams,
        response: {
          200: Type.Object({ supports_authentification: Type.Boolean(), has_set_authentification: Type.Boolean() }),
        },
      },
      handler: async (req, _reply, who) => {
        const api = x.apis().find((a) => a.name === req.params.api_name);
        if (!api) fail(400, `no such Exchange API '${req.params.api_name}'`);
        return {
          supports_authentification: api.credentialsSchema !== null,
          has_set_authentification: await hasCredentials(who.orgId, api.name),
        };
      },
    }),
    route({
      method: "POST",
      url: "/c/exchanges/api/:api_name",
      access: "bank.write",
      summary:
        "HMA: set (or with {} clear) credential_json on each of the organisation's exchanges of this API; never answered back",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: {
        params: ApiParams,
        body: AnyBody("{credential_json}"),
        response: {
          200: Type.Object({ supports_authentification: Type.Boolean(), has_set_authentification: Type.Boolean() }),
        },
      },
      handler: async (req, _reply, who) => {
        const api = x.apis().find((a) => a.name === req.params.api_name);
        if (!api) fail(400, `no such Exchange API '${req.params.api_name}'`);
        if (!isObject(req.body)) fail(400, "this endpoint expects a json object payload");
        const cred = req.body.credential_json;
        const mine = (await x.list(who.orgId)).filter((e) => e.api === api.name);
        if (cred !== undefined && cred !== null) {
          const credentials = isObject(cred) && Object.keys(cred).length > 0 ? cred : null;
          // HMA keeps them per API, for exchanges to come too; rasd also sets each existing exchange's.
          await hmaAnswer(() => x.setApiCredentials(who.orgId, api.name, credentials));
          for (const e of mine) await hmaAnswer(() => x.update(who.orgId, e.name, { credentials }));
          await s.access.audit(
            auditEntry(req, who, "exchange.credentials", `exchange-api:${api.name}`, {
              exchanges: mine.map((e) => e.name),
              cleared: credentials === null,
            }),
          );
        }
        return {
          supports_authentification: api.credentialsSchema !== null,
          has_set_authentification: await hasCredentials(who.orgId, api.name),
        };
      },
    }),
    route({
      method: "GET",
      url: "/c/exchanges/api/:api_name/schema",
      access: "bank.read",
      summary:
        "HMA: an exchange API's api_json and credential_json as HMA's field descriptors (`fields`) beside rasd's JSON Schema (type, properties, required)",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: {
        params: ApiParams,
        response: {
          200: Type.Object({
            name: Type.String(),
            supported: Type.Boolean(),
            description: Type.String(),
            config_schema: Type.Unknown(),
            credentials_schema: Type.Unknown(),
          }),
        },
      },
      handler: async (req) => {
        const api = x.apis().find((a) => a.name === req.params.api_name);
        if (!api) fail(404, `no such Exchange API '${req.params.api_name}'`);
        return {
          name: api.name,
          supported: api.supported,
          description: api.description,
          config_schema: withHmaFields(api.configSchema),
          credentials_schema: api.credentialsSchema ? withHmaFields(api.credentialsSchema) : null,
        };
      },
    }),
    route({
      method: "GET",
      url: "/c/exchanges",
      access: "bank.read",
      summary: "HMA: the names of the organisation's exchanges",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: { response: { 200: Type.Array(Type.String()) } },
      handler: async (_req, _reply, who) => (await x.list(who.orgId)).map((e) => e.name),
    }),
    route({
      method: "POST",
      url: "/c/exchanges",
      access: "bank.write",
      summary:
        "HMA: create an exchange {bank, api, api_json, credential_json?, enabled?, tlp? (rasd: the bank's marking)} and its bank",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: {
        body: AnyBody("{bank, api, api_json, credential_json?, enabled?, tlp?}"),
        response: { 201: HmaMessageView },
      },
      handler: async (req, reply, who) => {
        const body = req.body;
        if (!isObject(body)) fail(422, "body: Input should be a valid dictionary");
        if (body.bank === undefined) fail(400, "Field `bank` is required");
        if (typeof body.bank !== "string" || !/^[A-Z0-9_]+$/.test(body.bank))
          fail(400, "Field `bank` must match /^[A-Z0-9_]+$/");
        const apiJson = objectField(body.api_json, "api_json") ?? {};
        if (body.api === undefined || body.api === null) fail(400, "Field `api_type` is required");
        if (typeof body.api !== "string" || !x.apis().some((a) => a.name === body.api))
          fail(400, `No such exchange type '${String(body.api)}'`);
        const credentials = objectField(body.credential_json, "credential_json");
        const enabled = parseBool(body.enabled, "enabled");
        const tlp =
          body.tlp === undefined
            ? undefined
            : ((HMA_TLP.find((m) => m === body.tlp) as Tlp | undefined) ??
              fail(400, `tlp must be one of ${HMA_TLP.join(", ")}`));
        // HMA's client may repeat the exchange's name, API and enabled inside api_json: not settings.
        const config = Object.fromEntries(
          Object.entries(apiJson).filter(([k]) => k !== "name" && k !== "api" && k !== "enabled"),
        );
        const e = await hmaAnswer(() =>
          x.create({
            orgId: who.orgId,
            name: body.bank as string,
            api: body.api as string,
            config,
            ...(credentials ? { credentials } : {}),
            ...(enabled !== undefined ? { enabled } : {}),
            ...(tlp ? { tlp } : {}),
          }),
        );
        s.access.invalidate();
        await s.access.audit(
          auditEntry(req, who, "exchange.create", `exchange:${e.id}`, {
            name: e.name,
            api: e.api,
            bank_id: e.bankId,
            credentials: e.credentials !== null,
          }),
        );
        void reply.status(201);
        return { message: "Created successfully" };
      },
    }),
    route({
      method: "GET",
      url: "/c/exchange/:exchange_name",
      access: "bank.read",
      summary: "HMA: an exchange's settings and fetch status (credentials never shown)",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: { params: ExchangeParams, response: { 200: ExchangeView } },
      handler: async (req, _reply, who) =>
        exchangeJson(x, await hmaAnswer(() => x.get(who.orgId, req.params.exchange_name))),
    }),
    route({
      method: "GET",
      url: "/c/exchange/:exchange_name/status",
      access: "bank.read",
      summary: "HMA: an exchange's fetch status (last fetch, checkpoint, up to date, items fetched, errors)",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: { params: ExchangeParams, response: { 200: ExchangeStatusView } },
      handler: async (req, _reply, who) =>
        statusJson(await hmaAnswer(() => x.get(who.orgId, req.params.exchange_name))),
    }),
    route({
      method: "PUT",
      url: "/c/exchange/:exchange_name",
      access: "bank.write",
      summary:
        "HMA: change an exchange {enabled?, api_json? (merged; a null clears a setting), credential_json? ({} clears)}",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: {
        params: ExchangeParams,
        body: AnyBody("{enabled?, api_json?, credential_json?}"),
        response: { 200: ExchangeView },
      },
      handler: async (req, _reply, who) => {
        const body = req.body;
        if (!isObject(body)) fail(400, "this endpoint expects a json object payload");
        const enabled = parseBool(body.enabled, "enabled");
        const config = objectField(body.api_json, "api_json");
        const cred = objectField(body.credential_json, "credential_json");
        const e = await hmaAnswer(() =>
          x.update(who.orgId, req.params.exchange_name, {
            ...(enabled !== undefined ? { enabled } : {}),
            ...(config ? { config } : {}),
            ...(cred ? { credentials: Object.keys(cred).length ? cred : null } : {}),
          }),
        );
        await s.access.audit(
          auditEntry(req, who, "exchange.update", `exchange:${e.id}`, {
            ...(enabled !== undefined ? { enabled } : {}),
            ...(config ? { api_json: Object.keys(config) } : {}),
            ...(cred ? { credentials: Object.keys(cred).length ? "set" : "cleared" } : {}),
          }),
        );
        return exchangeJson(x, e);
      },
    }),
    route({
      method: "DELETE",
      url: "/c/exchange/:exchange_name",
      access: "bank.write",
      summary: "HMA: delete an exchange and its bank (rasd: ?keep_bank=1 keeps the bank)",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: {
        params: ExchangeParams,
        querystring: Type.Object({ keep_bank: Type.Optional(Type.String()) }),
        response: { 200: HmaMessageView },
      },
      handler: async (req, _reply, who) => {
        const keep = parseBool(req.query.keep_bank, "keep_bank") ?? false;
        // As HMA: deleting is idempotent — no such exchange (or another member's) is 200 too,
        // so the answer never tells whether a name exists elsewhere.
        const e = await x.get(who.orgId, req.params.exchange_name).catch((error: unknown) => {
          if (isRasdError(error) && error.code === "not_found") return undefined;
          throw error;
        });
        if (!e) return { message: "Exchange deleted" };
        await x.delete(who.orgId, e.name, keep);
        s.access.invalidate();
        await s.access.audit(
          auditEntry(req, who, "exchange.delete", `exchange:${e.id}`, { name: e.name, keep_bank: keep }),
        );
        return { message: "Exchange deleted" };
      },
    }),
    route({
      method: "POST",
      url: "/c/exchange/:exchange_name/fetch",
      access: "bank.write",
      summary: "Fetch an exchange now (a rasd extension): what was written, and the status after",
      tags: ["hma", "exchanges"],
      hmaErrors: true,
      schema: {
        params: ExchangeParams,
        response: { 200: Type.Object({ report: ReportView, status: ExchangeStatusView }) },
      },
      handler: async (req, _reply, who) => {
        const e = await hmaAnswer(() => x.get(who.orgId, req.params.exchange_name));
        const done = await x.fetchExchange(`api:${process.pid}:${req.id}`, e.id);
        if (!done) throw new RasdError("conflict", `exchange ${e.name} is being fetched by a worker now; try again`);
        return { report: reportJson(done.report), status: statusJson(done.exchange) };
      },
    }),
  ];
}
