/** Video MD5 signals: the MD5 of a video file's bytes (HMA's `video_md5`), lower-case hex. */

import { hexDigestType } from "./exact.js";

export const videoMd5 = hexDigestType("video_md5", 32, "a video MD5", {
  media: { hash: async (media) => media.digest("md5") },
  hma: {
    hashedFrom: "video",
    answers: ["video_md5"],
    invalid: (value) => `'${value}' is not a valid MD5 hash`,
    distance: () => "-",
    compare: (a, b) => [a === b, {}],
  },
});
