/**
 * An exchange as the API and the CLI show it: HMA's FetchStatus fields (unix seconds) with
 * rasd's additions, and never the credentials (only whether they are set).
 */

import type { Exchange } from "../../storage/ports/index.js";
import type { ExchangeService, FetchReport } from "./service.js";

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

export function statusJson(e: Exchange) {
  return {
    name: e.name,
    checkpoint_ts: seconds(e.checkpointAt),
    checkpoint: e.checkpoint,
    running_fetch_start_ts:
      e.fetchStartedAt !== null && (e.fetchEndedAt === null || e.fetchEndedAt < e.fetchStartedAt)
        ? seconds(e.fetchStartedAt)
        : null,
    last_fetch_complete_ts: seconds(e.fetchEndedAt),
    last_fetch_succeeded: e.fetchOk,
    up_to_date: e.upToDate,
    fetched_items: e.fetchedItems,
    failures: e.failures,
    last_error: e.lastError,
    next_fetch_ts: seconds(e.nextFetchAt) ?? 0,
  };
}

export async function exchangeJson(x: ExchangeService, e: Exchange) {
  const bank = await x.bankOf(e);
  return {
    name: e.name,
    api: e.api,
    enabled: e.enabled,
    bank: bank.name,
    tlp: bank.tlp,
    api_json: { ...e.config },
    has_credentials: e.credentials !== null,
    status: statusJson(e),
  };
}

export function reportJson(r: FetchReport) {
  return {
    steps: r.steps,
    added: r.added,
    retracted: r.retracted,
    withheld: r.withheld,
    skipped: r.skipped,
    opinions: r.opinions,
    up_to_date: r.upToDate,
    error: r.error,
  };
}
