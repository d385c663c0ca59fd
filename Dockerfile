# syntax=docker/dockerfile:1.7
# Moodwire server image: build stage (TypeScript, model files) and a slim runtime stage, non-root.
#   docker build --build-context models=../shared/models -t moodwire .
# The `models` build context is a local mirror of the third-party weights (laid out like
# models/vendor/); without it (an empty folder) the install fetches them from their pinned URLs.
# Not built in CI (Docker does not run there); tests/deploy checks this file's structure.

ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=models . /mirror/
COPY . .
# preinstall checks ffmpeg, postinstall installs the third-party weights (sha256-checked), prepare builds.
RUN MOODWIRE_MODEL_MIRROR=/mirror npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf /mirror

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg libjemalloc2 \
 && ln -s /usr/lib/*-linux-gnu/libjemalloc.so.2 /usr/local/lib/libjemalloc.so.2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/models ./models
# Listen on every interface inside the container; keys come from MOODWIRE_API_KEYS or a mounted file
# (MOODWIRE_API_KEYS_FILE, e.g. a Docker or Kubernetes secret). Without keys the server refuses to
# start on a non-loopback address.
# jemalloc hands freed native memory back where glibc's per-thread arenas keep it (sharp's advice for
# long-running servers): in the soak, RSS growth +27/+48 MB and peaks 570/634 MB, against +25 to +112 MB
# and 659 to 761 MB with glibc (README, Reliability).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    LD_PRELOAD=/usr/local/lib/libjemalloc.so.2
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains: /readyz 503 at once, in-flight replies finish, sockets close with 1012.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/cli/main.js", "serve"]
