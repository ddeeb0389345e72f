# netrca serve, for a cluster: multi-stage, Node 20 slim, non-root, read-only root filesystem
# (the chart mounts /tmp and the state folder as emptyDirs).
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no scripts (the build above already compiled the TypeScript).
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production HOME=/tmp PORT=3000 NETRCA_STATE_DIR=/var/lib/netrca
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY playbooks ./playbooks
COPY prompts ./prompts
RUN mkdir -p /var/lib/netrca && chown 10001:10001 /var/lib/netrca
USER 10001:10001
EXPOSE 3000
ENTRYPOINT ["node", "bin/netrca.js"]
CMD ["serve"]
