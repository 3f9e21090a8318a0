// Type declarations of videogen for Node.js (the N-API binding of libvideogen). Checked against the module's
// exports, classes, method names and parameter counts by test/types.test.js.

/** The one task-state vocabulary, whatever the provider calls its states. */
export type State = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

/** The configuration document of README.md ("Configuration"), e.g. {dialect, base_url, api_key_env}. */
export interface Config {
  provider?: string;
  dialect?: 'openai' | 'unified' | 'kling' | 'routerone' | 'chat' | 'gemini' | 'vertex' | 'minimax' | 'runway'
    | 'luma' | 'ark' | 'dashscope' | 'vidu' | 'openrouter' | 'kling_official' | 'fal' | 'replicate'
    | 'gemini_interactions';
  base_url?: string;
  api_key?: string;
  api_key_env?: string;
  /** unified only: 'generations' or 'videos'. */
  status_route?: 'generations' | 'videos';
  /** vertex only: the Google Cloud project (needed to submit, not to resume). */
  project?: string;
  /** vertex only: the Google Cloud location (default 'us-central1'). */
  location?: string;
  /** vertex only: an OAuth access token, never renewed (prefer access_token_env). Never kept by the client. */
  access_token?: string;
  /** vertex only: the environment variable holding the access token. */
  access_token_env?: string;
  /** vertex only: a service account key file; the library mints and renews tokens from it. */
  service_account_file?: string;
  /** kling_official only (required there): Kling's secret key (prefer secret_key_env). Never kept by the client. */
  secret_key?: string;
  /** kling_official only: the environment variable holding the secret key. */
  secret_key_env?: string;
  /** replicate only: Prefer: wait=N seconds (0-60, 0 for none; default 5). */
  prefer_wait?: number;
  /** fal and replicate only: the service drops the task wait_timeout after the submit. */
  server_deadline?: boolean;
  /** minimax only: 'v1' (default) or 'v2', the API new tasks are created with. */
  minimax_api?: 'v1' | 'v2';
  /** runway only: the X-Runway-Version sent (default '2024-11-06'). */
  runway_version?: string;
  request_timeout?: number;
  wait_timeout?: number;
  poll?: Record<string, number | boolean>;
  retry?: Record<string, number>;
  [setting: string]: unknown;
}

/** The request document of README.md, e.g. {model, prompt, duration, aspect_ratio}. */
export interface Request {
  model: string;
  prompt: string;
  [field: string]: unknown;
}

/** A task's record: its snapshot document (no secret), for Client.resume in this process or another. */
export interface TaskRecord {
  id?: string;
  state?: State;
  [field: string]: unknown;
}

/** One progress event: a status change ('status') or bytes of a download ('download'). */
export interface ProgressEvent {
  kind: 'status' | 'download';
  state: State;
  progress: number | null;
  queuePosition: number | null;
  bytesReceived: number;
  bytesTotal: number | null;
}

/** A downloaded video: where it is, its size and its SHA-256. */
export interface VideoFile {
  path: string;
  size: number;
  sha256: string;
}

export interface WaitOptions {
  /** Seconds from now (default: the client's wait_timeout; 0: already passed, a TimeoutError at once). */
  timeout?: number;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface DownloadOptions {
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface EventsOptions {
  /** Follow a download to this path instead of a wait. */
  download?: string;
  timeout?: number;
  signal?: AbortSignal;
}

export interface GenerateOptions {
  output: string;
  timeout?: number;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

/** The verifier document (README: Webhooks). */
export interface WebhookVerifier {
  scheme: 'standard_webhooks' | 'fal' | 'vidu' | 'openrouter' | 'unsigned';
  secret?: string;
  jwks?: object;
  jwks_url?: string;
  tolerance?: number;
  max_body_bytes?: number;
  accept_unsigned?: boolean;
  now?: number;
}

/** One callback as received: the raw body and the headers (a block, req.rawHeaders or an object). */
export interface WebhookCallback {
  method?: string;
  target?: string;
  headers: string | string[] | Record<string, string>;
  body: Buffer;
}

/** What the library concluded; a refusal is a verdict (accepted false, reason naming the check). */
export interface WebhookVerdict {
  accepted: boolean;
  reason: string;
  message: string;
  details: Record<string, unknown>;
}

/** The Idempotency-Key vg_idempotency_key derives from your job id (and scope): the same in every process. */
export function idempotencyKey(jobId: string, scope?: string | null): string;

/** Verifies one callback without a client. */
export function verifyWebhook(verifier: WebhookVerifier | string, callback: WebhookCallback): WebhookVerdict;

/** A client of one video-generation service. */
export class Client {
  constructor(config: Config | string);
  /** Whether close() was called. */
  readonly closed: boolean;
  /** Operations in flight. */
  readonly pending: number;
  submit(request: Request | string, options?: { signal?: AbortSignal }): Promise<Task>;
  generate(request: Request | string, options: GenerateOptions): Promise<Task>;
  resume(record: TaskRecord | string): Promise<Task>;
  applyWebhook(verifier: WebhookVerifier | string, callback: WebhookCallback): WebhookVerdict;
  close(): void;
}

/** One generation task, as this process last saw it. */
export class Task {
  private constructor();
  readonly client: Client;
  readonly id: string;
  readonly state: State;
  readonly progress: number | null;
  readonly queuePosition: number | null;
  readonly bytesReceived: number;
  readonly bytesTotal: number | null;
  readonly error: VideoGenError | null;
  readonly done: boolean;
  readonly videoUrl: string | null;
  readonly file: VideoFile | null;
  // Every video of a task that made several (the first is videoUrl); [] for a task with one.
  readonly outputs: string[];
  // What the task cost, under the service's own names, or null.
  readonly usage: Record<string, unknown> | null;
  readonly closed: boolean;
  record(): TaskRecord;
  wait(options?: WaitOptions): Promise<Task>;
  download(path: string, options?: DownloadOptions): Promise<VideoFile>;
  // Downloads output `index` (0-based, in `outputs` order) of the succeeded task (no progress events).
  downloadOutput(index: number, path: string, options?: { signal?: AbortSignal }): Promise<VideoFile & { output: number }>;
  events(options?: EventsOptions): AsyncGenerator<ProgressEvent, void, undefined>;
  cancel(): void;
  cancelRemote(): Promise<void>;
  close(): void;
  toString(): string;
}

/** Details every error carries. */
export interface ErrorDetails {
  errno?: number;
  httpStatus?: number | null;
  providerCode?: string | null;
  retryAfter?: number | null;
  taskId?: string | null;
  task?: Task | null;
  cause?: unknown;
}

/** An error reported by libvideogen (or by the binding, for a closed client or task). */
export class VideoGenError extends Error {
  constructor(message: string, details?: ErrorDetails);
  /** The header's constant, e.g. 'VG_E_RATE_LIMITED'. */
  readonly code: string;
  /** Its number (vg_code). */
  readonly errno: number;
  readonly httpStatus: number | null;
  readonly providerCode: string | null;
  /** Seconds the service asked to wait before retrying, or null. */
  readonly retryAfter: number | null;
  readonly taskId: string | null;
  task: Task | null;
}
export class AuthenticationError extends VideoGenError {}
export class PermissionDeniedError extends AuthenticationError {}
export class RateLimitError extends VideoGenError {}
export class QuotaExceededError extends VideoGenError {}
export class NotFoundError extends VideoGenError {}
export class ContentPolicyError extends VideoGenError {}
export class TaskFailedError extends VideoGenError {}
export class TimeoutError extends VideoGenError {}
export class TaskCancelledError extends VideoGenError {}
export class NetworkError extends VideoGenError {}
export class InvalidArgumentError extends VideoGenError {}

/** The header's code names, indexed by vg_code value. */
export const codes: readonly string[];
/** The loaded library's version. */
export const version: { readonly library: string; readonly libraryNumber: number; readonly abi: number;
  readonly header: string };
