// The deployment files, checked without Docker or a cluster (neither runs here): the Dockerfile's
// structure (multi-stage, pinned base, ffmpeg, non-root, health check on /readyz, no secrets), the
// compose file and HAProxy config (least connections, /readyz checks, WebSocket timeouts; `haproxy -c`
// when HAProxy is installed), and the Kustomize manifests as `kubectl kustomize` renders them.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { PACKAGE_ROOT } from "../../src/runtime/paths.js";

const read = (path: string): string => readFileSync(`${PACKAGE_ROOT}${path}`, "utf8");
const available = (command: string, args: string[]): boolean => spawnSync(command, args, { stdio: "ignore" }).status === 0;
const SECRET_ASSIGNMENT = /(KEY|KEYS|SECRET|TOKEN|PASSWORD)\s*[=:]\s*["']?[A-Za-z0-9_\-]{6,}/;

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const lines = dockerfile.split("\n").filter((line) => !line.trim().startsWith("#"));
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it("builds in stages from a pinned Node 20 slim image", () => {
    assert.ok(stages.length >= 2, "a build stage and a runtime stage");
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    assert.match(base ?? "", /^node:20\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/, "an exact Node 20 slim version, not a moving tag");
    for (const stage of stages) assert.match(stage, /^\$\{NODE_IMAGE\} AS \w+/);
  });

  it("runs as a non-root user, with ffmpeg, the model files and a health check on /readyz", () => {
    const user = /^USER (\S+)$/m.exec(runtime)?.[1];
    assert.ok(user !== undefined && !["root", "0"].includes(user), `runtime user ${user}`);
    assert.ok(runtime.indexOf("USER ") < runtime.indexOf("CMD "), "USER before CMD");
    assert.match(runtime, /apt-get install[^\n]*ffmpeg/);
    assert.match(runtime, /COPY --from=build[^\n]* \/app\/models /);
    assert.match(runtime, /^HEALTHCHECK [\s\S]*\/readyz/m);
    assert.match(runtime, /^EXPOSE 8000$/m);
    assert.match(runtime, /^CMD \["node", "dist\/src\/cli\/main.js", "serve"\]$/m);
    assert.match(runtime, /HOST=0\.0\.0\.0/);
  });

  it("preloads jemalloc from where it links it", () => {
    assert.match(runtime, /apt-get install[^\n]*libjemalloc2/);
    const linked = /ln -s \S+libjemalloc\.so\.2 (\S+)/.exec(runtime)?.[1];
    assert.ok(linked !== undefined, "the library is linked to an architecture-free path");
    assert.match(runtime, new RegExp(`LD_PRELOAD=${linked.replaceAll(".", "\\.")}\\s*$`, "m"));
  });

  it("holds no secrets and keeps local files out of the build context", () => {
    for (const line of lines) assert.doesNotMatch(line, SECRET_ASSIGNMENT, line);
    const ignored = read(".dockerignore").split("\n");
    for (const entry of ["node_modules", "models/vendor", ".git", "dist"]) assert.ok(ignored.includes(entry), entry);
  });
});

describe("compose.yaml and HAProxy", () => {
  const compose = read("compose.yaml");
  const haproxy = read("deploy/haproxy/haproxy.cfg");

  it("runs two or more gateways behind a pinned HAProxy, keys from a secret file", () => {
    const gateways = [...compose.matchAll(/^ {2}(gateway\d+):/gm)].map((m) => m[1]!);
    assert.ok(gateways.length >= 2, `gateways: ${gateways.join(", ")}`);
    assert.match(compose, /image: haproxy:\d+\.\d+\.\d+\n/);
    assert.match(compose, /MOODWIRE_API_KEYS_FILE: \/run\/secrets\/api_keys/);
    assert.match(compose, /file: \.\/secrets\/api_keys\.txt/);
    assert.doesNotMatch(compose, /MOODWIRE_API_KEYS:/);
    for (const line of compose.split("\n")) assert.doesNotMatch(line, SECRET_ASSIGNMENT, line);
    // Every gateway is a server of the backend.
    for (const gateway of gateways) assert.match(haproxy, new RegExp(`^\\s+server ${gateway} ${gateway}:8000$`, "m"));
  });

  it("balances by least connections, checks /readyz, keeps WebSockets open past the idle timeout", () => {
    assert.match(haproxy, /^\s+balance leastconn$/m);
    assert.match(haproxy, /^\s+option httpchk GET \/readyz$/m);
    const tunnel = /timeout tunnel (\d+)(s|m|h)/.exec(haproxy);
    assert.ok(tunnel !== undefined && tunnel !== null);
    const seconds = Number(tunnel[1]) * ({ s: 1, m: 60, h: 3600 } as Record<string, number>)[tunnel[2]!]!;
    assert.ok(seconds > 60, `timeout tunnel ${seconds} s`);
  });

  it("is a valid HAProxy configuration (haproxy -c)", { skip: available("haproxy", ["-v"]) ? false : "haproxy is not installed" }, () => {
    const check = spawnSync("haproxy", ["-c", "-f", `${PACKAGE_ROOT}deploy/haproxy/haproxy.cfg`], { encoding: "utf8" });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  });
});

describe("Kubernetes manifests (kubectl kustomize deploy/k8s)", { skip: available("kubectl", ["version", "--client"]) ? false : "kubectl is not installed" }, () => {
  const render = () => {
    const result = spawnSync("kubectl", ["kustomize", `${PACKAGE_ROOT}deploy/k8s`], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.split(/^---$/m);
  };
  const kind = (documents: string[], name: string): string => {
    const found = documents.find((doc) => new RegExp(`^kind: ${name}$`, "m").test(doc));
    assert.ok(found !== undefined, `a ${name}`);
    return found;
  };
  const number = (doc: string, field: string): number => Number(new RegExp(`${field}: "?(\\d+)`).exec(doc)?.[1] ?? NaN);

  it("a Deployment with probes, preStop, a grace period longer than the drain, resources, no unavailable pods", () => {
    const deployment = kind(render(), "Deployment");
    assert.match(deployment, /readinessProbe:\n\s+failureThreshold: \d+\n\s+httpGet:\n\s+path: \/readyz/);
    assert.match(deployment, /livenessProbe:\n\s+failureThreshold: \d+\n\s+httpGet:\n\s+path: \/healthz/);
    assert.match(deployment, /preStop:/);
    assert.equal(number(deployment, "maxUnavailable"), 0);
    const preStop = number(deployment, "seconds");
    const drainMs = number(deployment, "- name: MOODWIRE_SHUTDOWN_GRACE_MS\\n\\s+value");
    assert.ok(number(deployment, "terminationGracePeriodSeconds") > preStop + drainMs / 1000 + 5, "grace period past preStop + drain");
    assert.match(deployment, /resources:\n\s+limits:\n\s+cpu: "?\d+"?\n\s+memory: \S+\n\s+requests:\n\s+cpu: "?\d+"?\n\s+memory: \S+/);
    assert.match(deployment, /runAsNonRoot: true/);
    assert.match(deployment, /secretName: moodwire-api-keys/);
  });

  it("a Service, an Ingress with WebSocket timeouts, a PodDisruptionBudget, and an HPA on CPU and open sessions", () => {
    const documents = render();
    kind(documents, "Service");
    const ingress = kind(documents, "Ingress");
    assert.ok(number(ingress, "nginx.ingress.kubernetes.io/proxy-read-timeout") >= 3600);
    assert.match(kind(documents, "PodDisruptionBudget"), /matchLabels:\n\s+app.kubernetes.io\/name: moodwire/);
    const hpa = kind(documents, "HorizontalPodAutoscaler");
    assert.match(hpa, /name: cpu/);
    assert.match(hpa, /name: moodwire_connections_open/);
  });
});
