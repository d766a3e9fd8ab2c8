# Werkstatt — everyday commands. `make test` is the whole suite (see
# scripts/test.sh); `make help` lists the targets.

GO ?= go
BIN := bin/werkstatt

.DEFAULT_GOAL := help
.PHONY: help run build fmt vet lint test test-sqlite test-postgres bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## serve on :3000 with SQLite under data/ and files under uploads/
	$(GO) run .

build: ## static binary in bin/werkstatt (CGO_ENABLED=0)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(BIN) .

fmt: ## format the Go code
	gofmt -w $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')

vet: ## go vet
	$(GO) vet ./...

lint: ## fail on unformatted code, then go vet
	@files=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$files" ]; then echo "gofmt would change:"; echo "$$files"; exit 1; fi
	$(GO) vet ./...

test: ## the whole suite: vet, SQLite + local folder, then PostgreSQL + S3
	bash scripts/test.sh

test-sqlite: ## the suite on SQLite and the local folder only
	bash scripts/test.sh sqlite

test-postgres: ## the suite on PostgreSQL and S3 only
	bash scripts/test.sh postgres

bench: ## benchmarks (no tests)
	$(GO) test -run xxx -bench . ./...

clean: ## remove build and test output (keeps data/ and uploads/)
	rm -rf bin/ werkstatt *.test *.out
