# SidePool developer entry points. `make test` is what CI runs (see README.md).
DOTNET ?= dotnet
CONFIGURATION ?= Debug
CRD := crds/sidepool.dev_connectionpools.yaml
CLI := src/SidePool.Cli/SidePool.Cli.csproj
CHART := charts/sidepool
CHART_CRD := $(CHART)/crds/sidepool.dev_connectionpools.yaml

.PHONY: build test agent-aot crds verify verify-crds chart-lint chart-test format clean quickstart bench bench-memory bench-agent bench-operator bench-build images demo demo-budget e2e-k3s e2e-cluster

build:
	$(DOTNET) build Operator.sln -c $(CONFIGURATION) --nologo -v q

# Every test project, real PostgreSQL/PgBouncer/kubectl and the container images included. Fails when the committed
# CRD is stale. The images are built (or found up to date) before the tests start, so the build does not compete with
# them; a failed build is reported by the image tests, with its log.
# Every test that starts a real agent process runs the Native AOT agent (SIDEPOOL_AGENT_BINARY, published by agent-aot;
# tests/SidePool.Agent.Tests/AgentBinaryTests fails if what runs is not that native file). Without the variable, e.g.
# `dotnet test tests/SidePool.Agent.Tests`, the tests run the JIT build, for debugging.
# The end-to-end suite (tests/SidePool.E2E: the sandbox cluster, ten pods under load) runs after the others, not beside
# them: on 2 cores it starved the sandbox and operator tests running alongside (containers 40 s to start, a 500-pool
# scale test timing out). Both runs always happen; either failing fails the target.
test: build verify-crds agent-aot
	@images/build.sh || echo "make test: images/build.sh failed; the image tests (tests/SidePool.Images.Tests) report why"
	@status=0; \
	SIDEPOOL_AGENT_BINARY=$(AGENT_AOT) $(DOTNET) test Operator.sln -c $(CONFIGURATION) --no-build --nologo --filter "FullyQualifiedName!~SidePool.E2E." || status=$$?; \
	SIDEPOOL_AGENT_BINARY=$(AGENT_AOT) $(DOTNET) test tests/SidePool.E2E -c $(CONFIGURATION) --no-build --nologo || status=$$?; \
	exit $$status

# The agent as it ships (Native AOT, docs/agent.md) at a fixed path. Any warning the publish prints (trim/AOT
# analysis included) fails the target.
AGENT_AOT := $(CURDIR)/out/agent-aot/sidepool-agent
AGENT_AOT_LOG := $(CURDIR)/out/agent-aot.log
agent-aot:
	@mkdir -p $(dir $(AGENT_AOT))
	@$(DOTNET) publish src/SidePool.Agent -c Release -r linux-x64 -p:PublishAot=true --nologo -o $(dir $(AGENT_AOT)) > $(AGENT_AOT_LOG) 2>&1 || { cat $(AGENT_AOT_LOG); exit 1; }
	@if grep -E "warning [A-Z]+[0-9]+" $(AGENT_AOT_LOG); then echo "make agent-aot: the Native AOT publish printed warnings ($(AGENT_AOT_LOG))"; exit 1; fi
	@echo "agent (Native AOT, 0 warnings): $(AGENT_AOT)"

# Regenerate the CRD from the C# model (and the chart's copy of it).
crds:
	$(DOTNET) run --project $(CLI) -c $(CONFIGURATION) -- crd > $(CRD)
	cp $(CRD) $(CHART_CRD)

verify-crds:
	@$(DOTNET) run --project $(CLI) -c $(CONFIGURATION) --no-build -- crd > /tmp/sidepool-crd.yaml
	@diff -u $(CRD) /tmp/sidepool-crd.yaml > /dev/null || { echo "$(CRD) is out of date: run 'make crds'"; diff -u $(CRD) /tmp/sidepool-crd.yaml | head -40; exit 1; }
	@echo "$(CRD) is in sync with the model"
	@cmp -s $(CRD) $(CHART_CRD) || { echo "$(CHART_CRD) differs from $(CRD): run 'make crds'"; diff -u $(CRD) $(CHART_CRD) | head -40; exit 1; }
	@echo "$(CHART_CRD) is the same"

# The Helm chart (docs/install.md): helm lint --strict with the default values; chart-test runs tests/SidePool.Chart.Tests
# (lint and template over a matrix of values, every object checked against the Kubernetes 1.35 OpenAPI, install,
# upgrade and uninstall against the fake API server). helm comes from PATH or SIDEPOOL_HELM (.ci/run installs it).
HELM ?= $(or $(SIDEPOOL_HELM),helm)
chart-lint:
	$(HELM) lint --strict $(CHART)

chart-test: chart-lint
	$(DOTNET) test tests/SidePool.Chart.Tests -c $(CONFIGURATION) --nologo

# Generated files in sync and code formatted.
verify: verify-crds
	$(DOTNET) format Operator.sln --verify-no-changes -v q

format:
	$(DOTNET) format Operator.sln -v q

# Container images (buildah, local storage): localhost/sidepool/{sidecar,operator,loadgen,forwarder}:dev, see
# docs/images.md. An image whose inputs did not change is not rebuilt. IMAGES="sidecar forwarder" builds some,
# FORCE=1 rebuilds.
IMAGES ?=
images:
	images/build.sh $(if $(FORCE),--force) $(IMAGES)

# See it all work (README, docs/sandbox.md): the images, PostgreSQL, the sandbox cluster (fake API server, controllers,
# a podman kubelet), the CRD and the operator, a pool and a 3-replica app under load through a reload, a password
# rotation, a new version and scaling; live progress, a summary and a plot in $(DEMO_OUT). Needs root (podman).
DEMO_OUT ?= out/demo
demo: build
	images/build.sh sidecar operator loadgen forwarder
	$(DOTNET) tools/SidePool.Demo/bin/$(CONFIGURATION)/net10.0/sidepool-demo.dll --output-dir $(DEMO_OUT)

# The live connection budget on real pods (docs/budget.md, "Proven in the sandbox"): backend.maxConnections 20, the app
# scaled 2 → 10 → 3 and a new version rolled out under load, pg_stat_activity counted every 100 ms. Writes summary.md,
# budget.csv (every sample), budget.png (connections against the budget line, pods per version) and the operator's log
# in $(DEMO_BUDGET_OUT); exits 1 if PostgreSQL held more than 20 or an app transaction failed. Needs root (podman).
DEMO_BUDGET_OUT ?= out/demo-budget
demo-budget: build
	images/build.sh sidecar operator loadgen forwarder
	$(DOTNET) tools/SidePool.Demo/bin/$(CONFIGURATION)/net10.0/sidepool-demo.dll --scenario budget --output-dir $(DEMO_BUDGET_OUT)

# The end-to-end scenarios on a real cluster (docs/e2e-cluster.md), not part of `test`: the chart installed with
# helm, PostgreSQL in the cluster, a pool and an app under load through a reload, a rotation, a new version and
# scaling, then helm uninstall. e2e-k3s starts k3s with Testcontainers.K3s and loads the images (needs a Docker
# engine; without one it stops at once with one line); e2e-cluster uses any cluster (KUBECONFIG=<file>, whose
# nodes can get the images: IMAGE_PREFIX/IMAGE_TAG name them). E2E_K3S_FLAGS="--save-with docker" loads images
# built with Docker instead of running images/build.sh.
CLUSTER_E2E := $(DOTNET) tools/SidePool.ClusterE2E/bin/$(CONFIGURATION)/net10.0/sidepool-cluster-e2e.dll
E2E_OUT ?= out/e2e
IMAGE_PREFIX ?= localhost/sidepool
IMAGE_TAG ?= $(or $(SIDEPOOL_IMAGE_TAG),dev)
E2E_K3S_FLAGS ?= --build-images
E2E_BUILD = @mkdir -p $(E2E_OUT) && $(DOTNET) build tools/SidePool.ClusterE2E -c $(CONFIGURATION) --nologo -v q > $(E2E_OUT)/build.log 2>&1 || { cat $(E2E_OUT)/build.log; exit 1; }
e2e-k3s:
	$(E2E_BUILD)
	@$(CLUSTER_E2E) k3s $(E2E_K3S_FLAGS) --output-dir $(E2E_OUT)/k3s --image-prefix $(IMAGE_PREFIX) --image-tag $(IMAGE_TAG)

e2e-cluster:
	$(E2E_BUILD)
	@$(CLUSTER_E2E) cluster $(if $(KUBECONFIG),--kubeconfig $(KUBECONFIG)) --output-dir $(E2E_OUT)/cluster --image-prefix $(IMAGE_PREFIX) --image-tag $(IMAGE_TAG)

# See the data plane work: PostgreSQL, a rendered pool, the sidecar agent and a query through it (README).
quickstart:
	hack/quickstart.sh

clean:
	$(DOTNET) clean Operator.sln -v q
	rm -rf images/.work

# Measurements, reported not asserted (docs/benchmarks.md). `make bench` runs every measurement of issue 13 once, one
# after the other, and prints one table with the targets (met/missed): pgbench -S, connect per transaction and
# persistent, through PostgreSQL direct, a central PgBouncer configured as CloudNativePG's Pooler renders it, and the
# sidecar (the Native AOT agent on the operator's rendered files) over TCP and its unix socket; the agent's start and
# RSS; the webhook's p50/p99 over 1,000 AdmissionReviews from 8 concurrent clients while the operator reconciles; the
# operator at 500 pools x 5,000 pods and 2,000 x 20,000. Writes $(BENCH_OUT)/bench.md and $(BENCH_OUT)/pgbench.png.
# About 10 to 15 minutes on 2 cores (the 2,000-pool run is most of it). BENCH_ARGS passes options to `sidepool-bench
# all`, e.g. BENCH_ARGS="--scale none" (no operator scale runs) or "--pgbench-seconds 30".
# The tools are built under out/ (they find the repository above them: PostgreSQL and PgBouncer helpers).
BENCH_BIN := $(CURDIR)/out/bench-bin
BENCH_OUT ?= $(CURDIR)/out/bench
BENCH_RUNS ?= 3
BENCH_ARGS ?=
bench: bench-build agent-aot
	$(BENCH_BIN)/bench/sidepool-bench all --operator $(BENCH_BIN)/operator/sidepool-operator --agent $(AGENT_AOT) --output-dir $(BENCH_OUT) $(BENCH_ARGS)

# Operator RSS with 5,000 unrelated Secrets in the cluster (issue 9; docs/benchmarks.md).
bench-memory: bench-build
	$(BENCH_BIN)/bench/sidepool-bench operator-memory --operator $(BENCH_BIN)/operator/sidepool-operator

# The operator at scale and its leader handover (docs/benchmarks.md), each $(BENCH_RUNS) times: 500 pools x 5,000 pods,
# 2,000 pools x 20,000 pods (slow: minutes per run), two replicas on one Lease stopped with SIGTERM and SIGKILL.
bench-operator: bench-build
	$(BENCH_BIN)/bench/sidepool-bench operator-scale --operator $(BENCH_BIN)/operator/sidepool-operator --pools 500 --pods-per-pool 10 --namespaces 50 --runs $(BENCH_RUNS)
	$(BENCH_BIN)/bench/sidepool-bench operator-scale --operator $(BENCH_BIN)/operator/sidepool-operator --pools 2000 --pods-per-pool 10 --namespaces 50 --runs $(BENCH_RUNS) --phase-timeout-minutes 20
	$(BENCH_BIN)/bench/sidepool-bench leader-handover --operator $(BENCH_BIN)/operator/sidepool-operator --rounds 5 --runs $(BENCH_RUNS)

bench-build:
	$(DOTNET) build src/SidePool.Operator -c Release -v q --nologo -o $(BENCH_BIN)/operator
	$(DOTNET) build bench/SidePool.Bench -c Release -v q --nologo -o $(BENCH_BIN)/bench

# The agent as it ships (Native AOT) and the JIT build for comparison: start to the first /healthz 200, RSS idle and
# after 1,000 scrapes, scrape latency, RSS during and after pgbench through the sidecar (docs/benchmarks.md, "Agent").
# BENCH_AGENT_ARGS="--pgbench-minutes 1" shortens the soak; the bench runs from out/ (it finds the repository above it).
BENCH_AGENT_ARGS ?=
bench-agent: agent-aot
	$(DOTNET) build src/SidePool.Agent -c Release -v q --nologo -o $(CURDIR)/out/agent-jit
	$(DOTNET) build bench/SidePool.Bench -c Release -v q --nologo -o $(BENCH_BIN)/bench
	$(BENCH_BIN)/bench/sidepool-bench agent --agent $(AGENT_AOT) --jit $(CURDIR)/out/agent-jit/sidepool-agent $(BENCH_AGENT_ARGS)
