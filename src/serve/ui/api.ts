/** The server's JSON API as the UI uses it: requests carry the bearer token when the server asked for one. */

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  field?: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
  ) {
    super(body ? `${body.message}${body.field ? ` (field ${body.field})` : ''}` : `HTTP ${status}`);
  }
}

export interface TrainedModel {
  model: string;
  mode: string;
  seeds: number[];
  servable: boolean;
}

export interface RunSummary {
  id: string;
  name: string;
  dataset: string;
  createdAt: string | null;
  models: TrainedModel[];
  reportUrl: string | null;
}

export interface ResultRow {
  model: string;
  mode: string;
  seeds: number[];
  mean: Record<string, number>;
  std: Record<string, number>;
}

/** A mode against its baseline on one metric (the run's seed-aware comparison). */
export interface Comparison {
  model: string;
  mode: string;
  against: string;
  metric: string;
  diff: number;
  ci95: [number, number];
  p: number;
  pAdjusted: number;
  method: string;
}

export interface RunDetail extends RunSummary {
  command: string | null;
  providers: Array<{ role: string; id: string; description: string; offline: boolean }>;
  notes: string[];
  results: { split: string; rows: ResultRow[]; comparisons: Comparison[] };
  synthesis: {
    scorer: string;
    threshold: number;
    contexts: number;
    contextsWithLabels: number;
    labels: number;
  } | null;
}

export interface LinkedEntity {
  utterance: number;
  start: number;
  end: number;
  text: string;
  name: string;
  type: string;
  item: boolean;
}

export interface RankedItem {
  item: string;
  index: number;
  year: number | null;
  genres: string[];
  directors: string[];
  stars: string[];
  writers: string[];
  plot: string;
  rank: number;
  score: number;
  probability: number;
}

export interface RecommendResponse {
  run: string;
  dataset: string;
  entities: LinkedEntity[];
  lists: Array<{ model: string; mode: string; seed: number; items: RankedItem[] }>;
}

export interface Judgment {
  score: number;
  reason: string | null;
}

export interface LabelPair {
  item: string;
  index: number;
  rank: number | null;
  student: number;
  kept: boolean;
  teacher: Judgment | null;
  human: (Judgment & { createdAt: string }) | null;
}

export interface LabelContext {
  dialog_id: string;
  turn_id: number;
  dialogue: Array<{ role: 'User' | 'Recommender'; text: string }>;
  gold: string[];
  pairs: LabelPair[];
}

export interface LabelsResponse {
  run: string;
  dataset: string;
  split: string;
  threshold: number;
  student: string;
  teacher: string | null;
  total: { contexts: number; pairs: number };
  offset: number;
  limit: number;
  contexts: LabelContext[];
}

export interface JudgmentResponse {
  judgment: { score: number; reason: string; createdAt: string };
  file: string;
}

const TOKEN_KEY = 'crsaug-serve-token';
let askToken: (() => Promise<string>) | undefined;

/** How the UI gets a token when the server answers 401 (a dialog); the token lives for the tab's session. */
export function onTokenNeeded(ask: () => Promise<string>): void {
  askToken = ask;
}

/** A request with the token, asked for once on a 401; a non-2xx answer becomes an ApiFailure. */
async function send(
  path: string,
  init: { method: string; body?: unknown },
  accept: string,
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = { accept };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (response.status === 401 && attempt === 0 && askToken) {
      sessionStorage.setItem(TOKEN_KEY, await askToken());
      continue;
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => undefined)) as ErrorBody | undefined;
      throw new ApiFailure(response.status, body);
    }
    return response;
  }
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await send(path, { method: 'GET' }, 'application/json')).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return (await (await send(path, { method: 'POST', body }, 'application/json')).json()) as T;
}

export async function getText(path: string): Promise<string> {
  return (await send(path, { method: 'GET' }, 'text/html')).text();
}

/** A query string from defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  return search.toString();
}
