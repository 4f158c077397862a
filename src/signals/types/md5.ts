/** MD5 signals: the MD5 of a file's bytes (images here; a video's is `video_md5`), lower-case hex. */

import { hexDigestType } from "./exact.js";

export const md5 = hexDigestType("md5", 32, "an MD5", {
  media: { hash: async (media) => media.digest("md5") },
  hma: {
    answers: ["md5"],
    invalid: (value) => `'${value}' is not a valid MD5 hash`,
    distance: () => "-",
    compare: (a, b) => [a === b, {}],
  },
});
