# The ledger binary in a distroless image: `ledger serve` by default (see docker-compose.yml).
#
#   docker build -t partnership-ledger .
#   docker run --rm -p 8080:8080 -v "$PWD/secrets:/run/secrets:ro" partnership-ledger \
#     serve --addr 0.0.0.0:8080 --store 'esdb://kurrentdb:2113?tls=false' --key-file /run/secrets/ledger.key

FROM golang:1.26.10-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -ldflags="-s -w" -o /out/ledger ./cmd/ledger

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ledger /usr/local/bin/ledger
# A bolt store, when used, lives in the working directory.
WORKDIR /home/nonroot
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/ledger"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
