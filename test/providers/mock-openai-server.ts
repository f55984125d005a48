import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashValue } from '../../src/util/hash.js';

/** What the mock does with one request; `undefined` from a script means the default, well-formed answer. */
export type MockReply =
  | { status: number; headers?: Record<string, string>; json?: unknown; raw?: string }
  | { stallMs: number };

export interface RecordedRequest {
  path: string;
  /** The query string without its "?" ('' when none). */
  query: string;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** performance.now() when the request arrived. */
  at: number;
  /** Whether the server sent a complete answer (false for stalls the client gave up on). */
  answered: boolean;
  status?: number;
}

export type MockScript = (request: RecordedRequest, index: number) => MockReply | undefined;

/**
 * An OpenAI-compatible server on 127.0.0.1 for tests. By default /v1/chat/completions answers
 * "score: 3" (with logprobs when asked) and /v1/embeddings and /embed answer deterministic 8-d vectors
 * derived from each input's hash. A script can replace any answer to inject faults.
 */
export class MockOpenAIServer {
  readonly requests: RecordedRequest[] = [];
  script: MockScript = () => undefined;
  inFlight = 0;
  maxInFlight = 0;
  private readonly server = createServer((req, res) => this.handle(req, res));
  private readonly sockets = new Set<import('node:net').Socket>();

  static async start(script?: MockScript): Promise<MockOpenAIServer> {
    const mock = new MockOpenAIServer();
    if (script) mock.script = script;
    mock.server.on('connection', (socket) => {
      mock.sockets.add(socket);
      socket.on('close', () => mock.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => mock.server.listen(0, '127.0.0.1', resolve));
    return mock;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Requests whose answer was sent, by path. */
  answered(path?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.answered && (path === undefined || r.path === path));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const record: RecordedRequest = {
      path: (req.url ?? '').replace(/^\/v1/, '').replace(/\?.*$/, ''),
      query: (req.url ?? '').replace(/^[^?]*\??/, ''),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: req.headers,
      at: performance.now(),
      answered: false,
    };
    const index = this.requests.push(record) - 1;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    // 'close' fires both after the answer and when the client gives up, so abandoned stalls stop counting.
    res.once('close', () => this.inFlight--);
    {
      const reply = this.script(record, index) ?? { status: 200, json: defaultAnswer(record) };
      if ('stallMs' in reply) {
        // Ends early when the client hangs up, so an abandoned stall holds no timer.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, reply.stallMs);
          res.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        if (req.socket.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(defaultAnswer(record)));
      } else {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(
          reply.raw ?? JSON.stringify(reply.json ?? { error: { message: `mock status ${reply.status}` } }),
        );
      }
      record.answered = true;
      record.status = 'stallMs' in reply ? 200 : reply.status;
    }
  }
}

export function chatAnswer(
  content: string,
  options: {
    finishReason?: string;
    logprobs?: unknown;
    usage?: { prompt_tokens: number; completion_tokens: number };
  } = {},
): unknown {
  return {
    id: 'chatcmpl-mock',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content },
        finish_reason: options.finishReason ?? 'stop',
        logprobs: options.logprobs ?? null,
      },
    ],
    usage: options.usage ?? { prompt_tokens: 20, completion_tokens: 3, total_tokens: 23 },
  };
}

/** A deterministic vector for a text, so tests can compare what came back with what was asked. */
export function mockVector(text: string): number[] {
  const hex = hashValue(text);
  return Array.from({ length: 8 }, (_, i) => parseInt(hex.slice(i * 4, i * 4 + 4), 16) / 65535);
}

function defaultAnswer(request: RecordedRequest): unknown {
  if (request.path === '/embeddings') {
    const input = request.body.input as string[];
    return {
      object: 'list',
      data: input.map((text, index) => ({ object: 'embedding', index, embedding: mockVector(text) })),
      usage: { prompt_tokens: input.length * 5, total_tokens: input.length * 5 },
    };
  }
  if (request.path === '/embed') return (request.body.inputs as string[]).map(mockVector);
  const logprobs = request.body.logprobs
    ? {
        content: [
          {
            token: '3',
            logprob: -0.2,
            top_logprobs: [
              { token: '3', logprob: -0.2 },
              { token: '4', logprob: -1.9 },
              { token: '2', logprob: -2.5 },
            ].slice(0, Number(request.body.top_logprobs ?? 1)),
          },
        ],
      }
    : null;
  return chatAnswer('score: 3', { logprobs });
}
