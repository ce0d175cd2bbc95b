# syntax=docker/dockerfile:1
# Build: docker build -t brokerfinder .
# Run:   docker run -p 8080:8080 -v brokerfinder-data:/data brokerfinder
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# The embedded store (FerretDB on SQLite) is pure Go, so the binary is static.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/brokerfinder ./cmd/brokerfinder \
 && mkdir -p /out/data /out/tmp

FROM scratch
# CA certificates for TLS connections to a hosted MongoDB.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/brokerfinder /usr/local/bin/brokerfinder
COPY --from=build /src/seed /seed
# An empty data directory owned by the non-root user, so a new volume
# mounted here is writable.
COPY --from=build --chown=65532:65532 /out/data /data
# SQLite may spill large sorts to a temporary directory.
COPY --from=build --chown=65532:65532 /out/tmp /tmp
ENV BROKERFINDER_ADDR=:8080 \
    BROKERFINDER_DATA_DIR=/data \
    BROKERFINDER_SEED_DIR=/seed
# The service runs as an unprivileged uid; the volume holds the embedded store
# (and, later, the search index). With BROKERFINDER_MONGODB_URI set it holds
# only the index.
VOLUME ["/data"]
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/brokerfinder"]
CMD ["serve"]
