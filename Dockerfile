# The operator image: `xray-operator run` (controller + webhook) as uid 65532 on distroless Node.js 20.
# Build: docker build -t ghcr.io/xray-operator/xray-operator:$(node -p 'require("./package.json").version') .
# The chart (charts/xray-operator) passes `run` and its flags as args; ports and user match its Deployment.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No lifecycle scripts yet: `prepare` would build before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY core ./core
COPY webhook ./webhook
COPY operator ./operator
COPY scripts/bundle-operator.mjs ./scripts/bundle-operator.mjs
# tsc, then the bundle bin/xray-operator.js runs (dist/xray-operator.mjs and its chunks: only the parts of client-node
# the operator uses).
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
# Owned by root and read-only to uid 65532: the process cannot change its own code.
USER 65532:65532
# 9443: HTTPS admission webhook; 8080: plain HTTP /healthz, /readyz, /metrics.
EXPOSE 9443 8080
# glibc malloc returns blocks of 32 KiB and more to the kernel when they are freed, instead of its default threshold
# that grows up to 32 MiB and then keeps the compiler's freed zone memory (V8 parses the 6 MB bundle at start) in the
# process for good: idle RSS -4 MiB (npm run bench:controller, idleBreakdown). The cost is an mmap per such block.
ENV MALLOC_MMAP_THRESHOLD_=32768
# V8 sized for a small, long-lived process rather than for throughput: a 1 MiB young generation (the flag sets it and
# wins over --max-semi-space-size) and a heap grown in small steps with compacting collections. With 500 namespaces
# (npm run bench:controller) it holds peak RSS at ~120 MiB instead of ~240. The webhook pays for it: its uncached
# review spends a sixth of its CPU in those collections (docs/performance.md).
# --liftoff-only: WebAssembly is compiled by the baseline compiler only. The process's only WebAssembly is undici's
# HTTP parser (client-node's transport), and its optimizing compile on V8's worker threads cost ~35 MiB of startup
# peak and ~10 MiB of malloc arena kept for good; HTTP framing is a small part of the API traffic's CPU.
ENTRYPOINT ["/nodejs/bin/node", "--optimize-for-size", "--liftoff-only", "/app/bin/xray-operator.js"]
CMD ["run"]
