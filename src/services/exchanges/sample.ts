/**
 * `sample`: HMA's built-in sample exchange (python-threatexchange's static sample API) in
 * rasd's form — the example signals of the signal types HMA installs by default (`pdq`,
 * `video_md5`), the same values as python-threatexchange's `PdqSignal.get_examples()` and
 * `VideoMD5Signal.get_examples()` (16 PDQ, 2 video MD5), fetched once. So an HMA client's
 * sample exchange matches the same examples against rasd as against HMA (decision 0047).
 * For trying an exchange end to end without a remote: the hashes are published examples, not
 * of real content.
 */

import type { ExchangeApi, FetchedItem, FetchStep, JsonSchema } from "./api.js";
import { checkFields } from "./settings.js";

const NONE: JsonSchema = { type: "object", properties: {}, required: [] };
const DONE = "done";

/** python-threatexchange's PdqSignal.get_examples(), in its order. */
const PDQ_EXAMPLES = [
  "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
  "f8f8f0cee0f4a84f06370a2a038f63f0b36e26d596621e1d33e6b39c4e9c9b22",
  "f8f8f0cee0f4a84f0637022a038f67f0b36e26d596621e1d33e6b39c4e9c9b22",
  "f8f8f0cee0f4a84f06370a2a068f67f0b36e26d596621e1d33e6339c4e9c9b22",
  "f8f8f0cee0f4a84f06370a22038f67f0b36e2ed596221e1d33e6b39c4e9c9b22",
  "f8f8f0cee0f4a84f0e370a22038f67f0b36e2ed596221e1d33e6b39c4a9c9b22",
  "d8f8f0cec0f4a84f8e370a22038f67f0b36a2ed597231e1d72e6b39c4a9c9b22",
  "f8f8f0cee0f4a84f06370a22038f67f0b36e2ed596621e1d33e6339c4e9c9b22",
  "d0f8f1ccc0f4a84d0a370a3a228f67f0b36e2ed5b6623e1d33e6339c4e9c9b22",
  "d8f8f1eec0f4a84f0e37022a078f63f0b36e2ed596621e1d33e6239c4e9c9b22",
  "d8f8f0cec4f4a84f0637022a078f67f0b36e2ee5b6621e1d33e6239c4e9c9b22",
  "d8f8f0cec0f4a84f0637022a278f67f0b36e2ed596621e1d33e6339c4e9c9b22",
  "e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064",
  "6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d",
  "c186f9619659658c4b6916daf934496985f4259c72c39676ab9edb631c3c349c",
  "62c9789627838f69f23cf98c29e37836d61c87c31c59587c4b49a783f496725c",
];

/** python-threatexchange's VideoMD5Signal.get_examples(). */
const VIDEO_MD5_EXAMPLES = ["cab08b36195edb1a1231d2d09fa450e0", "d41d8cd98f00b204e9800998ecf8427e"];

/** The examples, written out so that every fetch of every sample exchange gives the same. */
export const SAMPLE_SIGNALS: readonly FetchedItem[] = [
  ...PDQ_EXAMPLES.map((value): FetchedItem => ({ type: "pdq", value, status: "active", origin: "sample" })),
  ...VIDEO_MD5_EXAMPLES.map((value): FetchedItem => ({ type: "video_md5", value, status: "active", origin: "sample" })),
];

export const sampleExchangeApi: ExchangeApi = {
  name: "sample",
  supported: true,
  description:
    "HMA's sample exchange: python-threatexchange's example PDQ and video MD5 signals, fetched once: for trying exchanges",
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
