# syntax=docker/dockerfile:1
# maximize as a FROM scratch image: the Bun-compiled binary, its dynamic loader and libc, a non-root user,
# /tmp and a token volume. About 115 MB, almost all of it the binary.
#
#   docker build -t maximize .
#   docker run -d --name maximize -p 127.0.0.1:8081:8081 -v maximize-data:/data -e MAXIMIZE_ALLOW_OPEN=1 maximize
#
# Multi-arch: docker buildx build --platform linux/amd64,linux/arm64 -t maximize .
# See docs/INSTALL.md for logging in inside the container and for exposing the port safely.

# 1. Compile on the builder's own platform, cross-compiling for the image's (no emulation for the compile).
#    Bun is the exact version pinned in package-lock.json.
FROM --platform=$BUILDPLATFORM node:22-bookworm-slim AS build
ARG TARGETARCH
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/ scripts/
COPY src/ src/
RUN case "$TARGETARCH" in \
      amd64) target=linux-x64 ;; \
      arm64) target=linux-arm64 ;; \
      *) echo "unsupported TARGETARCH: $TARGETARCH" >&2; exit 1 ;; \
    esac \
 && npx bun scripts/build.ts --single --target "$target" --out /out/maximize

# 2. Assemble the image's whole root filesystem on the image's platform (ldd has to run natively).
#    scripts/rootfs.sh is the one list of what the image holds; test/dist/rootfs.test.ts runs it too.
FROM debian:bookworm-slim AS rootfs
COPY --from=build /out/maximize /out/maximize
COPY scripts/rootfs.sh /rootfs.sh
RUN sh /rootfs.sh /out/maximize /rootfs

# 3. The image: exactly what rootfs.sh produced (COPY --from keeps the owner of /data).
#    MAXIMIZE_IN_CONTAINER: `maximize update` refuses here and says to pull the newer image instead.
FROM scratch
COPY --from=rootfs /rootfs/ /
USER 10001:10001
ENV MAXIMIZE_BIND_ADDRESS=0.0.0.0 \
    MAXIMIZE_PORT=8081 \
    MAXIMIZE_TOKEN_FILE=/data/tokens.json \
    HOME=/data \
    MAXIMIZE_IN_CONTAINER=1 \
    BUN_CONFIG_MAX_HTTP_REQUESTS=4096
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/maximize", "health"]
ENTRYPOINT ["/usr/local/bin/maximize"]
CMD ["serve"]
