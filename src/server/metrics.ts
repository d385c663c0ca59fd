// A small Prometheus text-format registry: counters, gauges and histograms with labels.

type Labels = Readonly<Record<string, string>>;

function labelKey(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))}"`).join(",")}}`;
}

interface Metric {
  render(): string;
}

/** One value per label set, rendered as a metric of `type`. */
class LabelledValues implements Metric {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string, private readonly type: "counter" | "gauge") {}
  protected add(labels: Labels, by: number): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [key, value] of this.values) lines.push(`${this.name}${key} ${value}`);
    return lines.join("\n");
  }
}

export class Counter extends LabelledValues {
  constructor(name: string, help: string) {
    super(name, help, "counter");
  }
  inc(labels: Labels = {}, by = 1): void {
    this.add(labels, by);
  }
}

export class Gauge implements Metric {
  private value = 0;
  constructor(readonly name: string, readonly help: string) {}
  set(value: number): void {
    this.value = value;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
  get current(): number {
    return this.value;
  }
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.value}`].join("\n");
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number; labels: Labels }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}
  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { counts: this.buckets.map(() => 0), sum: 0, count: 0, labels };
      this.series.set(key, entry);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) entry.counts[i]!++;
    });
    entry.sum += value;
    entry.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { counts, sum, count, labels } of this.series.values()) {
      this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket${labelKey({ ...labels, le: String(bound) })} ${counts[i]}`));
      lines.push(`${this.name}_bucket${labelKey({ ...labels, le: "+Inf" })} ${count}`);
      lines.push(`${this.name}_sum${labelKey(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelKey(labels)} ${count}`);
    }
    return lines.join("\n");
  }
}

/** A gauge per label set (e.g. work in flight per model). */
export class LabelledGauge extends LabelledValues {
  constructor(name: string, help: string) {
    super(name, help, "gauge");
  }
  inc(labels: Labels): void {
    this.add(labels, 1);
  }
  dec(labels: Labels): void {
    this.add(labels, -1);
  }
}

/** The process's own figures, read when rendered (Prometheus' standard process_* names). */
function processMetrics(): string {
  const cpu = process.cpuUsage();
  return [
    "# HELP process_resident_memory_bytes Resident memory size in bytes.", "# TYPE process_resident_memory_bytes gauge", `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
    "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.", "# TYPE process_cpu_seconds_total counter", `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
    "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.", "# TYPE process_start_time_seconds gauge", `process_start_time_seconds ${Math.round(Date.now() / 1000 - process.uptime())}`,
  ].join("\n");
}

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The server's metrics, exposed at GET /metrics. */
export class ServerMetrics {
  readonly connectionsOpen = new Gauge("moodwire_connections_open", "WebSocket connections currently open.");
  readonly connectionsTotal = new Counter("moodwire_connections_total", "WebSocket connections accepted.");
  readonly connectionsClosed = new Counter("moodwire_connections_closed_total", "WebSocket connections closed, by close code (the server's when it closed, else the client's; 1006: dropped without a close frame).");
  readonly handshakesRefused = new Counter("moodwire_handshakes_refused_total", "Handshakes refused, by HTTP status.");
  readonly messages = new Counter("moodwire_messages_total", "Client messages received.");
  readonly replies = new Counter("moodwire_replies_total", "Replies sent, by outcome.");
  readonly errors = new Counter("moodwire_errors_total", "Error and warning replies, by code.");
  readonly workerRestarts = new Gauge("moodwire_worker_restarts", "Model workers replaced after a crash or a timeout since start.");
  readonly workersRetiring = new Gauge("moodwire_workers_retiring", "Model workers out of service still finishing a timed-out run.");
  readonly pendingBytes = new Gauge("moodwire_pending_bytes", "Bytes of frames and decoded media in flight, server-wide (see --max-pending-bytes).");
  readonly modelLatency = new Histogram("moodwire_model_latency_seconds", "Model prediction latency per payload.", LATENCY_BUCKETS_S);
  readonly requestLatency = new Histogram("moodwire_request_latency_seconds", "Time from message receipt to reply.", LATENCY_BUCKETS_S);
  readonly modelInFlight = new LabelledGauge("moodwire_model_in_flight", "Payloads a model is working on now, by model (for autoscaling on work in flight).");

  /** `version`: the package's, for the build-info metric. */
  constructor(private readonly version = "unknown") {}

  render(): string {
    return `${[
      this.connectionsOpen,
      this.connectionsTotal,
      this.connectionsClosed,
      this.handshakesRefused,
      this.messages,
      this.replies,
      this.errors,
      this.pendingBytes,
      this.workerRestarts,
      this.workersRetiring,
      this.modelLatency,
      this.requestLatency,
      this.modelInFlight,
    ]
      .map((m) => m.render())
      .join("\n")}\n${[
      "# HELP moodwire_build_info Moodwire's version and the Node.js it runs on (always 1).",
      "# TYPE moodwire_build_info gauge",
      `moodwire_build_info{version="${this.version}",node="${process.version}"} 1`,
      processMetrics(),
    ].join("\n")}\n`;
  }
}
