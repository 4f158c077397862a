# rasd's container image: one image for every role (`rasd migrate`, `rasd serve --roles api`,
# `rasd worker`; see compose.yaml and docs/deploy.md). It has not been built where it was
# written (no registry access there): test/deploy/packaging.test.ts checks what can be checked
# without building — that what it copies exists and what it runs is a real script or command.

# ---- build: install everything, compile TypeScript, WebAssembly and the web app ----
FROM node:20-bookworm-slim AS build
# python3, make and g++ compile better-sqlite3 when no prebuilt binary fits (scripts/setup.sh).
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY wasm ./wasm
COPY web ./web
COPY scripts ./scripts
COPY bin ./bin
COPY models ./models
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: Node, the decoders rasd calls, the built code; no compiler, not root ----
FROM node:20-bookworm-slim
# ffmpeg and ffprobe decode video for vPDQ; ImageMagick decodes BMP (scripts/setup.sh).
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg imagemagick \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/models ./models
COPY --from=build /src/scripts/healthcheck.mjs ./scripts/healthcheck.mjs
# The data folder (secret.key without RASD_SECRET_KEY, uploads in flight) and the media store:
# private to the `node` user (uid 1000) the processes run as. Mount a shared volume on /data/media.
RUN mkdir -p /data/media && chown -R node:node /data && chmod -R 0700 /data
# glibc: huge pages for large allocations (the PDQ index's arrays: fewer TLB misses in lookups)
# and a fixed mmap threshold, so that arrays freed by index merges go back to the system
# instead of staying in the heap as holes (scripts/run-bench.mjs measures with the same).
ENV NODE_ENV=production \
  GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=131072 \
  RASD_DATA=/data \
  RASD_MEDIA_DIR=/data/media \
  RASD_HOST=0.0.0.0
USER node
EXPOSE 8080 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/scripts/healthcheck.mjs"]
ENTRYPOINT ["node", "/app/bin/rasd"]
CMD ["serve"]
