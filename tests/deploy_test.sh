#!/usr/bin/env bash
# deploy_artifacts: checks of Dockerfile, .dockerignore, deploy/ and docs/operations.md that can
# run without Docker or a cluster.
#   bash tests/deploy_test.sh [SOURCE_DIR]        (ctest: add_test(NAME deploy_artifacts ...))
# Env: NBO_BUILD_DIR=build/debug to use another build for the live checks (default: the first of
# build/release, build/debug, build/asan that has both binaries; none: the live checks are skipped).
# Prints one line per check (ok / FAIL / skip) and exits 1 if any check failed.
set -uo pipefail

ROOT=$(cd "${1:-$(dirname "$0")/..}" && pwd)
cd "$ROOT" || exit 1
PROM=deploy/prometheus
RULES=$PROM/nbo.rules.yml
DASH=deploy/grafana/nbo-dashboard.json
K8S=deploy/kubernetes
FLAGS=deploy/nbo.flags
OPS=docs/operations.md

failures=0
TMP=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

ok() { echo "ok    $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
skip() { echo "skip  $*"; }
# check DESCRIPTION COMMAND...: runs COMMAND, shows its output only on failure.
check() {
  local what=$1
  shift
  if "$@" >"$TMP/out" 2>&1; then
    ok "$what"
  else
    fail "$what"
    sed 's/^/      /' "$TMP/out"
  fi
}
have() { command -v "$1" >/dev/null 2>&1; }
HAVE_YAML=false
if have python3 && python3 -c 'import yaml' 2>/dev/null; then HAVE_YAML=true; fi

echo "== deploy artifacts in $ROOT"
for f in Dockerfile .dockerignore deploy/README.md "$FLAGS" "$RULES" "$PROM/nbo.rules.test.yml" \
         "$PROM/prometheus.yml" "$DASH" "$K8S/statefulset.yaml" "$K8S/service.yaml" \
         "$K8S/configmap.yaml" "$K8S/pdb.yaml" "$OPS"; do
  if [[ -s "$f" ]]; then ok "exists: $f"; else fail "missing or empty: $f"; fi
done

# ---------------------------------------------------------------------------------------------
echo "== Prometheus rules and config (promtool)"
if have promtool; then
  check "promtool check rules $RULES" promtool check rules "$RULES"
  # Both resolve rule_files relative to the file, so run them from its directory.
  check "promtool test rules $PROM/nbo.rules.test.yml" \
    bash -c "cd '$PROM' && promtool test rules nbo.rules.test.yml"
  check "promtool check config $PROM/prometheus.yml" \
    bash -c "cd '$PROM' && promtool check config prometheus.yml"
else
  skip "promtool not installed (Debian package prometheus): rules, rule tests, config"
fi

# ---------------------------------------------------------------------------------------------
echo "== Grafana dashboard"
if have python3; then
  check "valid JSON: $DASH" python3 -m json.tool "$DASH"
  # Every panel query, with Grafana's variables substituted, must be valid PromQL.
  if python3 - "$DASH" >"$TMP/dash.rules.yml" 2>"$TMP/err" <<'EOF'
import json, sys
exprs = []
def walk(panels):
    for p in panels:
        walk(p.get("panels", []))
        for t in p.get("targets", []):
            if t.get("expr"):
                exprs.append(t["expr"])
walk(json.load(open(sys.argv[1]))["panels"])
if not exprs:
    sys.exit("no queries found")
print("groups:\n  - name: dashboard\n    rules:")
for i, e in enumerate(exprs):
    e = e.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$instance", ".*")
    print(f"      - record: dashboard:query{i}\n        expr: {json.dumps(e)}")
EOF
  then
    if have promtool; then
      check "dashboard queries are valid PromQL ($(grep -c 'expr:' "$TMP/dash.rules.yml") queries)" \
        promtool check rules "$TMP/dash.rules.yml"
    else
      skip "dashboard PromQL syntax (no promtool)"
    fi
  else
    fail "reading the dashboard queries: $(cat "$TMP/err")"
  fi
else
  skip "python3 not installed: dashboard JSON"
fi

# ---------------------------------------------------------------------------------------------
echo "== metric names used by rules, rule tests, dashboard and docs exist in the server"
# Names the server exports: string literals in server/ (not tests) plus the registry's own.
sources=()
for f in server/*.cc server/metrics/*.cc server/metrics/*.h; do
  [[ -f $f && $f != *_test.cc ]] && sources+=("$f")
done
grep -ohE '"(nbo|process)_[a-z0-9_]+"' "${sources[@]}" /dev/null | tr -d '"' | sort -u >"$TMP/exported"
if [[ ! -s "$TMP/exported" ]]; then
  fail "no metric names found in server/ (moved? update tests/deploy_test.sh)"
else
  used_files=("$RULES" "$PROM/nbo.rules.test.yml" "$DASH")
  [[ -f "$OPS" ]] && used_files+=("$OPS")
  grep -ohE '\b(nbo|process)_[a-z0-9_]+' "${used_files[@]}" | sort -u >"$TMP/used"
  unknown=()
  while read -r name; do
    base=$name
    for suffix in _bucket _count _sum; do
      if [[ $name == *"$suffix" ]] && grep -qx "${name%"$suffix"}" "$TMP/exported"; then
        base=${name%"$suffix"}
      fi
    done
    grep -qx "$base" "$TMP/exported" || unknown+=("$name")
  done <"$TMP/used"
  if ((${#unknown[@]} == 0)); then
    ok "all $(wc -l <"$TMP/used") nbo_/process_ names used are exported by server/"
  else
    fail "names used in deploy/ or docs but not exported by server/: ${unknown[*]}"
  fi
  # Recorded series used anywhere must be defined by a record: rule.
  grep -ohE 'record: *nbo:[a-z0-9_:]+' "$RULES" | sed 's/record: *//' | sort -u >"$TMP/recorded"
  grep -ohE '\bnbo:[a-z_][a-z0-9_:]*' "${used_files[@]}" | sort -u >"$TMP/used_recorded"
  missing=$(comm -23 "$TMP/used_recorded" "$TMP/recorded" | tr '\n' ' ')
  if [[ -z "${missing// /}" ]]; then
    ok "all recorded series used are defined in $RULES"
  else
    fail "recorded series used but not defined in $RULES: $missing"
  fi
  # The scrape job the rules rely on is the one prometheus.yml sets.
  if grep -q 'up{job="nbo"}' "$RULES" && grep -qE '^\s*(- job_name: nbo$|replacement: nbo$)' \
      "$PROM/prometheus.yml"; then
    ok "rules' job=\"nbo\" matches prometheus.yml"
  else
    fail "rules use up{job=\"nbo\"} but prometheus.yml does not set job nbo (or vice versa)"
  fi
fi

# ---------------------------------------------------------------------------------------------
echo "== Kubernetes manifests"
if $HAVE_YAML; then
  check "YAML parses, manifests agree with nbo.flags, examples/strategy.json and the image" \
    python3 - "$K8S" "$FLAGS" <<'EOF'
import glob, json, re, sys, yaml
k8s, flags_path = sys.argv[1], sys.argv[2]
errors, objs = [], {}
for f in sorted(glob.glob(k8s + "/*.yaml")):
    try:
        for d in yaml.safe_load_all(open(f)):
            if not d:
                continue
            for key in ("apiVersion", "kind"):
                if key not in d:
                    errors.append(f"{f}: a document without {key}")
            if d.get("kind") != "Kustomization" and "name" not in d.get("metadata", {}):
                errors.append(f"{f}: {d.get('kind')} without metadata.name")
            objs.setdefault(d.get("kind"), []).append(d)
    except yaml.YAMLError as e:
        errors.append(f"{f}: {e}")
print("parsed:", {k: len(v) for k, v in objs.items()})

flags = {}
for line in open(flags_path):
    line = line.strip()
    if line and not line.startswith("#"):
        m = re.fullmatch(r"--([a-z_]+)=(.*)", line)
        if not m:
            errors.append(f"{flags_path}: not --flag=value: {line!r}")
        else:
            flags[m.group(1)] = m.group(2)
def seconds(d):  # abseil durations used here: 5s, 1m, 168h
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)", d)
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)] if m else None
for need in ("listen", "metrics_listen", "data_dir", "strategy", "shutdown_grace"):
    if need not in flags:
        errors.append(f"{flags_path}: --{need} missing")

cm = next((c for c in objs.get("ConfigMap", []) if c["metadata"]["name"] == "nbo-config"), None)
if cm is None:
    errors.append("no ConfigMap nbo-config")
else:
    if cm["data"].get("nbo.flags") != open(flags_path).read():
        errors.append("configmap.yaml nbo.flags differs from deploy/nbo.flags: regenerate it (see its header)")
    if cm["data"].get("strategy.json") != open("examples/strategy.json").read():
        errors.append("configmap.yaml strategy.json differs from examples/strategy.json: regenerate it")
    else:
        json.loads(cm["data"]["strategy.json"])

sts = objs.get("StatefulSet", [None])[0]
if sts is None:
    errors.append("no StatefulSet")
else:
    spec = sts["spec"]
    if spec.get("replicas") != 1:
        errors.append("StatefulSet replicas must be 1 (RocksDB single writer per volume)")
    pod = spec["template"]["spec"]
    grace = seconds(flags.get("shutdown_grace", "5s"))
    if not pod.get("terminationGracePeriodSeconds", 30) > grace:
        errors.append(f"terminationGracePeriodSeconds must exceed --shutdown_grace ({grace}s)")
    c = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    grpc_port = int(flags.get("listen", ":0").rsplit(":", 1)[1])
    metrics_port = int(flags.get("metrics_listen", ":0").rsplit(":", 1)[1])
    if ports.get("grpc") != grpc_port or ports.get("metrics") != metrics_port:
        errors.append(f"container ports {ports} differ from nbo.flags ({grpc_port}, {metrics_port})")
    for probe in ("readinessProbe", "livenessProbe"):
        if c.get(probe, {}).get("grpc", {}).get("port") != grpc_port:
            errors.append(f"{probe} must be the built-in gRPC probe on port {grpc_port}")
    if "requests" not in c.get("resources", {}):
        errors.append("container without resources.requests")
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
    if mounts.get("data") != flags.get("data_dir"):
        errors.append(f"data volume mounted at {mounts.get('data')}, --data_dir is {flags.get('data_dir')}")
    cfg = mounts.get("config", "")
    if flags.get("strategy") != cfg + "/strategy.json":
        errors.append(f"--strategy {flags.get('strategy')} is not in the ConfigMap mount {cfg}")
    if f"--flagfile={cfg}/nbo.flags" not in c.get("args", []) + c.get("command", []):
        errors.append(f"container does not run with --flagfile={cfg}/nbo.flags")
    if "volumeClaimTemplates" not in spec:
        errors.append("StatefulSet without volumeClaimTemplates")
    if pod.get("securityContext", {}).get("runAsUser") != 10001:
        errors.append("pod must run as uid 10001 (the image's nbo user)")
svc_ports = {(s["metadata"]["name"], p["port"]) for s in objs.get("Service", []) for p in s["spec"]["ports"]}
for name in ("nbo", "nbo-headless"):
    for port in (50051, 9464):
        if (name, port) not in svc_ports:
            errors.append(f"Service {name} lacks port {port}")
if sts and sts["spec"].get("serviceName") != "nbo-headless":
    errors.append("StatefulSet serviceName must be nbo-headless")
if not objs.get("PodDisruptionBudget"):
    errors.append("no PodDisruptionBudget")
for e in errors:
    print("error:", e)
sys.exit(1 if errors else 0)
EOF
else
  skip "python3 with PyYAML not available: Kubernetes manifests not parsed"
fi

# ---------------------------------------------------------------------------------------------
echo "== Dockerfile and .dockerignore"
for pattern in build var .git; do
  if grep -qE "^/?${pattern//./\\.}/?\$" .dockerignore; then
    ok ".dockerignore excludes $pattern"
  else
    fail ".dockerignore does not exclude $pattern"
  fi
done
# Every COPY source (outside --from stages) exists in the build context.
while read -r src; do
  if [[ -e "$src" ]]; then ok "Dockerfile COPY source exists: $src"; else fail "Dockerfile COPY source missing: $src"; fi
done < <(grep -E '^COPY ' Dockerfile | grep -v -- '--from=' | awk '{for (i = 2; i < NF; i++) print $i}' | grep -v '^\.$')
for needle in '-DNBO_BUILD_TESTS=OFF' '-DNBO_BUILD_BENCHMARKS=OFF' '-DCMAKE_BUILD_TYPE=Release' \
              'USER 10001' 'VOLUME ["/var/lib/nbo"]' 'EXPOSE 50051 9464' 'STOPSIGNAL SIGTERM' \
              '--flagfile=/etc/nbo/nbo.flags' 'COPY deploy/nbo.flags /etc/nbo/nbo.flags'; do
  if grep -qF -- "$needle" Dockerfile; then ok "Dockerfile has: $needle"; else fail "Dockerfile lacks: $needle"; fi
done
if [[ $(grep -cE '^FROM debian:12-slim|^FROM \$\{DEBIAN_IMAGE\}' Dockerfile) -ge 2 ]] &&
   grep -q '^ARG DEBIAN_IMAGE=debian:12-slim' Dockerfile; then
  ok "Dockerfile: both stages on debian:12-slim"
else
  fail "Dockerfile: expected a build and a runtime stage on debian:12-slim"
fi
# The binaries the Dockerfile copies out of the build tree are the ones CMake names so.
if grep -q 'OUTPUT_NAME nbo-server' server/CMakeLists.txt && grep -q 'OUTPUT_NAME nbo$\|OUTPUT_NAME nbo)' tools/CMakeLists.txt &&
   grep -q '/build/server/nbo-server /build/tools/nbo' Dockerfile; then
  ok "Dockerfile copies build/server/nbo-server and build/tools/nbo, as CMake names them"
else
  fail "binary names/paths in Dockerfile and server|tools/CMakeLists.txt disagree"
fi
# Package names: the apt-get install lines of the Dockerfile.
sed -n '/apt-get install/,/&& rm -rf/p' Dockerfile | tr '\\ ' '\n' \
  | grep -E '^[a-z0-9][a-z0-9.+-]+$' | grep -vxE 'apt-get|install|rm|-rf' | sort -u >"$TMP/docker_pkgs"
awk '/^FROM .* AS runtime/{r=1} r' Dockerfile | sed -n '/apt-get install/,/&& rm -rf/p' | tr '\\ ' '\n' \
  | grep -E '^lib[a-z0-9.+-]+$' | sort -u >"$TMP/runtime_pkgs"
DEPS=scripts/lib/deps.sh
if [[ -f $DEPS ]]; then
  # The build/runtime lists of deps.sh: arrays or strings named like *BUILD*PACKAGES*, *RUNTIME*DEPS*
  # (test-only lists - promtool, python3 - are not needed in the image).
  bash -c '
    source "$1" >/dev/null 2>&1 || exit 3
    for v in $(compgen -v); do
      [[ $v == *TEST* || $v == *test* ]] && continue
      if [[ $v =~ (BUILD|RUNTIME).*(PACKAGES|DEPS|PKGS) ]]; then
        declare -n ref=$v
        printf "%s\n" "${ref[@]}"
      fi
    done' _ "$DEPS" | tr ' ' '\n' | grep -v '^$' | sort -u >"$TMP/deps_pkgs"
  if [[ ! -s "$TMP/deps_pkgs" ]]; then
    fail "$DEPS: found no *BUILD*/*RUNTIME* package list (renamed? update tests/deploy_test.sh)"
  else
    missing=$(comm -23 "$TMP/deps_pkgs" "$TMP/docker_pkgs" | tr '\n' ' ')
    if [[ -z "${missing// /}" ]]; then
      ok "Dockerfile installs every package of $DEPS's build/runtime lists ($(wc -l <"$TMP/deps_pkgs"))"
    else
      fail "packages in $DEPS but not in the Dockerfile: $missing"
    fi
  fi
else
  skip "$DEPS not found: package list cross-check"
fi
if have apt-cache; then
  # One apt-cache call (it is slow to start); a package apt knows has "Candidate: VERSION".
  # shellcheck disable=SC2046
  apt-cache policy $(cat "$TMP/docker_pkgs") >"$TMP/policy" 2>/dev/null
  bad=()
  while read -r pkg; do
    awk -v p="$pkg:" '$0 == p {f = 1; next} /^[^ ]/ {f = 0} f && /Candidate:/ && $2 != "(none)" {ok = 1}
                      END {exit !ok}' "$TMP/policy" || bad+=("$pkg")
  done <"$TMP/docker_pkgs"
  if ((${#bad[@]} == 0)); then
    ok "every Dockerfile package is known to apt here ($(wc -l <"$TMP/docker_pkgs") packages)"
  else
    fail "Dockerfile packages apt does not know (wrong name for Debian 12?): ${bad[*]}"
  fi
else
  skip "no apt-cache: Dockerfile package names not verified"
fi

# ---------------------------------------------------------------------------------------------
echo "== live checks against a local build"
BUILD=""
for d in ${NBO_BUILD_DIR:-} build/release build/debug build/asan; do
  if [[ -x "$d/server/nbo-server" && -x "$d/tools/nbo" ]]; then BUILD=$d; break; fi
done
if [[ -z $BUILD ]]; then
  skip "no built nbo-server and nbo (cmake --preset release && cmake --build --preset release)"
else
  SERVER=$BUILD/server/nbo-server
  CLI=$BUILD/tools/nbo
  # The runtime stage installs a package for every shared library the binaries need (directly or
  # through apt dependencies of the listed packages).
  if have ldd && have dpkg && have apt-cache && [[ -s "$TMP/runtime_pkgs" ]]; then
    # dpkg -S knows a library by its installed path: try the path ldd shows and the resolved one.
    ldd "$SERVER" "$CLI" | awk '/=>/ {print $3}' | sort -u >"$TMP/libs"
    # shellcheck disable=SC2046
    dpkg -S $(cat "$TMP/libs") $(xargs -r readlink -f <"$TMP/libs") 2>/dev/null \
      | cut -d: -f1 | tr -d ' ' | tr ',' '\n' | sort -u >"$TMP/needed_pkgs"
    # shellcheck disable=SC2046
    apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances $(cat "$TMP/runtime_pkgs") 2>/dev/null \
      | grep -E '^[a-z0-9]' | sed 's/:.*//' | sort -u >"$TMP/closure"
    # In every debian:12-slim image already (Essential/required).
    printf '%s\n' libc6 libgcc-s1 libstdc++6 zlib1g >>"$TMP/closure"
    missing=$(comm -23 "$TMP/needed_pkgs" <(sort -u "$TMP/closure") | tr '\n' ' ')
    if [[ ! -s "$TMP/needed_pkgs" ]]; then
      skip "could not map the binaries' libraries to Debian packages"
    elif [[ -z "${missing// /}" ]]; then
      ok "runtime stage packages cover the $(wc -l <"$TMP/needed_pkgs") packages behind ldd $SERVER $CLI"
    else
      fail "libraries of the binaries come from packages the runtime stage does not install: $missing"
    fi
  else
    skip "ldd/dpkg/apt-cache missing: runtime library coverage"
  fi

  # Start the server with the production flagfile (proves the file parses), overriding the
  # addresses and paths that only make sense in the image.
  "$SERVER" --flagfile="$FLAGS" --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0 \
    --data_dir="$TMP/data" --strategy=examples/strategy.json >"$TMP/server.out" 2>"$TMP/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    grep -q 'listening' "$TMP/server.out" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  GRPC=$(grep -oE 'grpc=[0-9.]+:[0-9]+' "$TMP/server.out" | cut -d= -f2)
  METRICS=$(grep -oE 'http://[0-9.]+:[0-9]+/metrics' "$TMP/server.out")
  if [[ -z $GRPC || -z $METRICS ]]; then
    fail "nbo-server did not start with --flagfile=$FLAGS"
    sed 's/^/      /' "$TMP/server.out" "$TMP/server.err"
  else
    ok "nbo-server starts with --flagfile=$FLAGS (+ local overrides)"
    check "image HEALTHCHECK command succeeds against a running server: nbo strategy show" \
      "$CLI" strategy show --addr "$GRPC" --timeout 20s
    # Populate the label-on-first-use families (transitions, gRPC codes, reloads).
    check "nbo decide (web page_view) against the running server" \
      "$CLI" decide --addr "$GRPC" --timeout 20s --customer c-deploy-test --channel web --event page_view
    check "nbo strategy reload (what an operator runs after changing the file)" \
      "$CLI" strategy reload --addr "$GRPC" --timeout 20s
    if have curl && curl -sf "$METRICS" >"$TMP/metrics"; then
      grep -E '^# TYPE ' "$TMP/metrics" | awk '{print $3}' | sort -u >"$TMP/live"
      unknown=()
      while read -r name; do
        base=$name
        for suffix in _bucket _count _sum; do
          [[ $name == *"$suffix" ]] && grep -qx "${name%"$suffix"}" "$TMP/live" && base=${name%"$suffix"}
        done
        grep -qx "$base" "$TMP/live" || unknown+=("$name")
      done < <(grep -ohE '\b(nbo|process)_[a-z0-9_]+' "$RULES" "$DASH" | sort -u)
      if ((${#unknown[@]} == 0)); then
        ok "every metric in the rules and dashboard is in the live /metrics output"
      else
        fail "not in the live /metrics output: ${unknown[*]}"
      fi
    else
      skip "curl missing or /metrics unreachable: live metric names"
    fi
    kill -TERM "$SERVER_PID"
    # --shutdown_grace is 5s in nbo.flags; allow 15s before calling it a hang.
    for _ in $(seq 1 150); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "      nbo-server still running 15s after SIGTERM; killing it"
      kill -KILL "$SERVER_PID"
    fi
    wait "$SERVER_PID"
    rc=$?
    SERVER_PID=""
    if [[ $rc -eq 0 ]]; then
      ok "SIGTERM (the image's STOPSIGNAL) stops nbo-server with exit code 0"
    else
      fail "nbo-server exited $rc on SIGTERM"
      sed 's/^/      /' "$TMP/server.err"
    fi
  fi
fi

echo "== Dockerfile itself: not built here (no Docker engine in this environment)"
if ((failures > 0)); then
  echo "deploy_test: $failures check(s) FAILED"
  exit 1
fi
echo "deploy_test: all checks passed"
