// A bounded closed-loop load generator: exactly `clients` requests in flight, each client sending its next
// request when its answer arrives, for a fixed time, over keep-alive connections to 127.0.0.1 only.
import { Agent, request } from 'node:http';

export interface LoadResult {
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  /** Answered requests per second. */
  throughput: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadOptions {
  clients: number;
  seconds: number;
  /** Request bodies, used in turn. */
  bodies: readonly string[];
}

export async function runLoad(url: string, options: LoadOptions): Promise<LoadResult> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1')
    throw new Error(`the load generator only targets 127.0.0.1, not ${target.hostname}`);
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const deadline = start + options.seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const body = options.bodies[next++ % options.bodies.length]!;
      const sent = performance.now();
      const status = await post(agent, target, body);
      if (status === 200) latencies.push(performance.now() - sent);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    clients: options.clients,
    seconds,
    requests: latencies.length,
    errors,
    throughput: latencies.length / seconds,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: latencies.at(-1) ?? Number.NaN,
  };
}

function post(agent: Agent, target: URL, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}
