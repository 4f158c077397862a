/**
 * The exchange APIs rasd knows, by name (HMA's names where HMA has one). `ncmec` and
 * `stop_ncii` are listed as HMA lists them but not supported: their APIs need agreements and
 * endpoints rasd cannot reach or test here; creating one is refused with that reason.
 */

import { RasdError } from "../../core/errors.js";
import type { ExchangeApi, JsonSchema } from "./api.js";
import { hmaExchangeApi } from "./hma.js";
import { rasdExchangeApi } from "./rasd.js";
import { sampleExchangeApi } from "./sample.js";
import { taxiiExchangeApi } from "./taxii.js";
import { tcapExchangeApi } from "./tcap.js";
import { threatExchangeApi } from "./threatexchange.js";

const NONE: JsonSchema = { type: "object", properties: {}, required: [] };

function unsupported(name: string, description: string): ExchangeApi {
  return {
    name,
    supported: false,
    description,
    configSchema: NONE,
    credentialsSchema: null,
    parseConfig() {
      throw new RasdError("invalid", `exchange API ${name} is not supported by rasd: ${description}`);
    },
    fetchStep() {
      return Promise.reject(new RasdError("invalid", `exchange API ${name} is not supported by rasd`));
    },
  };
}

export const EXCHANGE_APIS: readonly ExchangeApi[] = [
  threatExchangeApi,
  rasdExchangeApi,
  taxiiExchangeApi,
  hmaExchangeApi,
  tcapExchangeApi,
  sampleExchangeApi,
  unsupported("ncmec", "NCMEC's hash sharing API needs an agreement with NCMEC; not implemented"),
  unsupported("stop_ncii", "StopNCII's API needs an agreement with SWGfL; not implemented"),
];

export function exchangeApi(name: string): ExchangeApi | undefined {
  return EXCHANGE_APIS.find((a) => a.name === name);
}
