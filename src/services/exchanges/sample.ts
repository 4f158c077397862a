/**
 * `sample`: HMA's built-in sample exchange (python-threatexchange's static sample API) in
 * rasd's form — a fixed handful of example signals, one of each common type, fetched once.
 * For trying an exchange end to end without a remote; the values are rasd's own examples,
 * not real content (the text says so, the hashes are of that text, the URL is example.com).
 */

import type { ExchangeApi, FetchedItem, FetchStep, JsonSchema } from "./api.js";
import { checkFields } from "./settings.js";

const NONE: JsonSchema = { type: "object", properties: {}, required: [] };
const DONE = "done";

/** The examples, written out so that every fetch of every sample exchange gives the same. */
export const SAMPLE_SIGNALS: readonly FetchedItem[] = [
  { type: "md5", value: "fa7d3b27931d3faedd14307028cafd84", status: "active", origin: "sample" },
  { type: "md5", value: "80a1624c219217d9907457980284e92c", status: "active", origin: "sample" },
  {
    type: "pdq",
    value: "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
    status: "active",
    origin: "sample",
  },
  { type: "url", value: "https://example.com/rasd-sample-exchange/release", status: "active", origin: "sample" },
  {
    type: "text",
    value: "rasd sample exchange: an example text signal, not real content, for trying an exchange end to end",
    status: "active",
    origin: "sample",
  },
];

export const sampleExchangeApi: ExchangeApi = {
  name: "sample",
  supported: true,
  description: "A fixed handful of example signals (HMA's sample exchange), fetched once: for trying exchanges",
  configSchema: NONE,
  credentialsSchema: null,
  parseConfig(json) {
    checkFields(json, NONE, "api_json");
    return {};
  },
  fetchStep(ctx): Promise<FetchStep> {
    const first = ctx.checkpoint !== DONE;
    return Promise.resolve({
      items: first ? SAMPLE_SIGNALS : [],
      skipped: [],
      checkpoint: DONE,
      checkpointAt: Date.now(),
      more: false,
    });
  },
};
