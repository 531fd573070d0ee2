# syntax=docker/dockerfile:1
#
# The Manifold reconciler: `manifold reconcile` as PID 1, non-root, no shell.
#   docker build -t manifold .
#   docker run --rm manifold --help
# Deploy: examples/deploy/ (push mode in a hub cluster, pull mode in each member).

# ---- build: one esbuild bundle, every dependency inside it -------------------
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build is the next step.
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY scripts/build.ts scripts/build.ts
COPY src/ src/
# Node 24 runs the TypeScript build script directly (type stripping).
RUN node scripts/build.ts manifold \
 && node dist/manifold.js --version

# ---- runtime: distroless Node 24, nothing but node and the bundle ------------
FROM gcr.io/distroless/nodejs24-debian13:nonroot
LABEL org.opencontainers.image.title="manifold" \
      org.opencontainers.image.description="Multi-cluster federation the GitOps way: render, apply, prune, report" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY --from=build /src/dist/manifold.js /app/dist/manifold.js
ENV NODE_ENV=production
# Numeric UID/GID (distroless "nonroot"), so Kubernetes can verify runAsNonRoot.
USER 65532:65532
# /healthz, /readyz, /metrics
EXPOSE 8080
# Exec form: node is PID 1 and receives SIGTERM itself (manifold handles it:
# readiness fails, the running reconcile finishes or is cancelled, exit 0).
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/manifold.js"]
CMD ["reconcile"]
