/** The logging and metrics the cores use; Powertools in the cloud, a console or nothing locally. */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface MetricsSink {
  /** Adds to a count metric, e.g. `SegmentsIndexed`. */
  count(name: string, value?: number): void;
  /** Records a duration in milliseconds, e.g. `PlaylistRenderMs`. */
  millis(name: string, value: number): void;
}

export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };
export const noMetrics: MetricsSink = { count: () => {}, millis: () => {} };
