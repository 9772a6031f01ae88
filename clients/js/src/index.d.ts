// Types of fitcheck-client. The wire shapes follow openapi.yaml (Report, Finding, TensorStats, ...).

/** The part of a tf.Tensor the client reads (no import of @tensorflow/tfjs is needed). */
export interface TensorLike {
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64' | string;
  readonly isDisposed?: boolean;
  data(): Promise<ArrayLike<number> | ArrayLike<string | Uint8Array>>;
  dataSync(): ArrayLike<number> | ArrayLike<string | Uint8Array>;
}

/** A plain (nested, rectangular) JS array or a typed array: sent with container `list`. */
export type ArrayData = number[] | boolean[] | string[] | ArrayData[] | Float32Array | Float64Array | Int32Array | Uint8Array;

/** One tensor, tensors in model input (output) order, or a map from input (output) name. */
export type TensorArgument = TensorLike | TensorLike[] | { [name: string]: TensorLike | ArrayData } | ArrayData;

/** What preflight reads of a tf.LayersModel. */
export interface LayersModelLike {
  toJSON(unused?: null, returnString?: boolean): unknown;
  layers: unknown[];
  loss?: unknown;
  metrics?: unknown;
  optimizer?: unknown;
}

/** A TF.js model.json (parsed) or a bare topology. */
export type ModelJson = { modelTopology: object; format?: string; [k: string]: unknown } | { class_name: string; config: unknown; [k: string]: unknown };

/**
 * A tf.LayersModel, a parsed model.json (or topology), its JSON text, an http(s) URL of a
 * model.json, or a path or file: URL of one (Node).
 */
export type ModelSource = LayersModelLike | ModelJson | string | URL;

export type LossSpec = string | ((...args: any[]) => unknown) | LossSpec[] | { [output: string]: LossSpec };

export interface ClientOptions {
  /** Server base URL; default env FITCHECK_URL, else http://127.0.0.1:8080. */
  url?: string;
  /** Team key (--auth keys), sent as `Authorization: Bearer`; default env FITCHECK_KEY. */
  key?: string | null;
  /** A fetch implementation; default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Per-request timeout in ms (0: none); default 30000. */
  timeoutMs?: number;
}

export interface PreflightOptions extends ClientOptions {
  /** The loss; default the compiled model's `model.loss` (a function is sent by its name). */
  loss?: LossSpec;
  /** Metrics; default the compiled model's. */
  metrics?: LossSpec;
  /** An optimizer name or a tf.train optimizer; default the compiled model's. */
  optimizer?: string | { getClassName(): string; getConfig(): object };
  /** Extra compile members, sent as they are. */
  compile?: Record<string, unknown>;
  batchSize?: number;
  epochs?: number;
  validationSplit?: number;
  /** `[xVal, yVal]` as model.fit takes it (or a dataset for preflightDataset). */
  validationData?: [TensorArgument, TensorArgument?, unknown?] | DatasetLike;
  stepsPerEpoch?: number;
  validationSteps?: number;
  /** fitDataset's names for stepsPerEpoch and validationSteps. */
  batchesPerEpoch?: number;
  validationBatches?: number;
  shuffle?: boolean;
  initialEpoch?: number;
  /** Extra fit members (snake_case), sent as they are. */
  fit?: Record<string, unknown>;
  /** `framework` of the request; default `tfjs`. */
  framework?: 'tfjs' | 'keras3' | 'tf.keras2';
  /** The TF.js release; default `tf.version.tfjs` of `opts.tf`, else the model's tfjs-layers version. */
  frameworkVersion?: string;
  /** The @tensorflow/tfjs module, to read its version. */
  tf?: { version: Record<string, string> };
  project?: string;
  run?: string;
  labels?: Record<string, string>;
  environment?: { host_memory_bytes?: number; device_memory_bytes?: number; device?: string; [k: string]: unknown };
  /**
   * 'stats' (default): shape, dtype and stats computed locally; 'values': the samples themselves
   * (the server summarises them; small data only, Inf is not representable); 'shape': no stats.
   */
  send?: 'stats' | 'values' | 'shape';
}

export interface DatasetLike {
  take(n: number): { toArray(): Promise<unknown[]> };
  readonly size?: number | null;
}

export interface TensorStats {
  min?: number;
  max?: number;
  nan_count?: number;
  inf_count?: number;
  distinct?: Array<number | string>;
  distinct_count?: number | null;
  mean?: number;
  mean_square?: number;
  row_sum_min?: number;
  row_sum_max?: number;
  /** Every finite value is a whole number. */
  integers?: boolean;
  /** Labels: elements per value, when one whole number per sample and at most 256 values. */
  class_counts?: Record<string, number>;
  [k: string]: unknown;
}

export interface TensorHeader {
  shape: Array<number | null>;
  dtype: string;
  container?: string | null;
  stats?: TensorStats;
  values?: unknown[];
  batch_size?: number | null;
  cardinality?: number | null;
}

export interface Fix {
  summary: string;
  code: string;
  language?: 'python' | 'javascript' | 'shell';
  patch?: Array<{ op: 'add' | 'remove' | 'replace'; path: string; value?: unknown }>;
}

export interface Finding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  title: string;
  message: string;
  explanation: string;
  framework_error: string | null;
  location: { pointer: string; input?: string; output?: string; layer?: string };
  fixes: Fix[];
  reference: string;
  href: string;
}

export type Verdict = 'fail' | 'warn' | 'pass';

/** The report as the server sent it (openapi `Report`). */
export interface RawReport {
  id: string;
  created_at: string;
  framework: 'keras3' | 'tf.keras2' | 'tfjs';
  framework_source: 'request' | 'detected' | 'default';
  framework_version: string | null;
  release?: { version: string; source: string; description: string; newer: boolean; [k: string]: unknown };
  verdict: Verdict;
  summary: string;
  counts: { error: number; warning: number; info: number };
  findings: Finding[];
  model: Record<string, unknown>;
  resources: Record<string, unknown>;
  labels: Record<string, string>;
  request_digest: string;
  model_id: string | null;
  timing_us: number;
}

export class Report {
  constructor(raw: RawReport, options?: { location?: string | null });
  readonly raw: RawReport;
  readonly id: string;
  readonly verdict: Verdict;
  readonly summary: string;
  readonly findings: Finding[];
  readonly counts: RawReport['counts'];
  readonly framework: RawReport['framework'];
  readonly frameworkVersion: string | null;
  readonly createdAt: string;
  /** The Location header: /v1/reports/{id}. */
  readonly location: string | null;
  /** True unless the verdict is `fail`. */
  readonly ok: boolean;
  find(code: string): Finding[];
  /** Throws PreflightFailed when the verdict is `fail`; returns this report otherwise. */
  raiseForErrors(): this;
  toJSON(): RawReport;
  /** Verdict, then each finding: code, location, message, why, the framework's text, fixes. */
  toString(): string;
}

export class FitcheckError extends Error {}

/** An error status from the server; `body` is the problem+json object (RFC 9457). */
export class ApiError extends FitcheckError {
  readonly status: number;
  readonly type: string | null;
  readonly title: string | null;
  readonly detail: string | null;
  readonly pointer: string | null;
  readonly body: { type?: string; title?: string; status?: number; detail?: string; pointer?: string; [k: string]: unknown } | string | null;
  readonly url: string | null;
  readonly headers: Headers | null;
}

/** The server could not be reached; `url` is the URL that was asked. */
export class ConnectionError extends FitcheckError {
  readonly url: string;
}

/** Thrown by Report#raiseForErrors() on a `fail` verdict. */
export class PreflightFailed extends FitcheckError {
  readonly report: Report;
}

/** Preflights `model.fit(xs, ys, opts)`. */
export function preflight(model: ModelSource, xs: TensorArgument | null | undefined, ys: TensorArgument | null | undefined,
  opts?: PreflightOptions): Promise<Report>;

/** Preflights `model.fitDataset(dataset, opts)`; the element shape (and stats) come from the first batch. */
export function preflightDataset(model: ModelSource, dataset: DatasetLike, opts?: PreflightOptions): Promise<Report>;

/** GET /v1/reports/{id}. */
export function getReport(id: string, opts?: ClientOptions): Promise<Report>;

/** The request's Tensor for one tensor or array (what preflight sends for it). */
export function describeTensor(value: TensorLike | ArrayData, opts?: { send?: 'stats' | 'values' | 'shape' }): Promise<TensorHeader>;

/** TensorStats of flat values of the given shape, in one pass. */
export function computeStats(flat: ArrayLike<number> | ArrayLike<string>, shape: number[], dtype?: string): TensorStats;

export default preflight;
