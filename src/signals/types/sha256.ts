/** SHA-256 signals: the SHA-256 of a file's bytes, lower-case hex. */

import { describeError } from "../../core/errors.js";
import { hexDigestType } from "./exact.js";

export const sha256 = hexDigestType("sha256", 64, "a SHA-256", {
  media: { hash: async (media) => media.digest("sha256") },
  hma: {
    answers: ["sha256"],
    invalid: (_value, error) => describeError(error),
    distance: () => "-",
    compare: (a, b) => [a === b, {}],
  },
});
