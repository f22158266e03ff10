# syntax=docker/dockerfile:1
# FKApi image: Node 24 (the current LTS), production dependencies only (no embedded PostgreSQL,
# no dev tools, no tests), running as the unprivileged `node` user. See docs/OPERATIONS.md.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Everything, optional packages included: the compiler reads the embedded PostgreSQL's types.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev --omit=optional --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Ready once PostgreSQL answers; these probes also keep the fkapi_dependency_up gauge current.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The heap limits the benchmarks ran with (docs/BENCHMARKS.md).
CMD ["node", "--max-semi-space-size=16", "--max-old-space-size=192", "dist/main.js"]
