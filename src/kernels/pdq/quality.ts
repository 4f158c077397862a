/**
 * PDQ's quality metric on the 64x64 downsample: the sum of quantised vertical and
 * horizontal gradients, scaled so that 100 means "plenty of detail"
 * (pdqImageDomainQualityMetric). Hashes with quality below 50 are not worth matching.
 */

const fround = Math.fround;

/** Quality 0..100 of a 64x64 row-major buffer, bit-exact with the reference. */
export function pdqQuality(buffer64: Float64Array): number {
  let gradientSum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      const d = Math.trunc(fround(fround(fround(buffer64[i * 64 + j]! - buffer64[(i + 1) * 64 + j]!) * 100) / 255));
      gradientSum += Math.abs(d);
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      const d = Math.trunc(fround(fround(fround(buffer64[i * 64 + j]! - buffer64[i * 64 + j + 1]!) * 100) / 255));
      gradientSum += Math.abs(d);
    }
  }
  return Math.min(100, Math.trunc(gradientSum / 90));
}
