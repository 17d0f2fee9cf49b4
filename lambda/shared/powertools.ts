import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Log, MetricsSink } from './log.ts';

export interface Powertools {
  logger: Logger;
  metrics: Metrics;
  log: Log;
  sink: MetricsSink;
  /** The Lambda entry around a core: request context on every log line, metrics flushed after each invocation. */
  entry<E, R>(core: (event: E) => Promise<R>): (event: E, context?: Context) => Promise<R>;
}

/** Powertools logger and metrics for one function, plus the small interfaces the cores take. */
export function powertools(serviceName: string): Powertools {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ namespace: 'camrec', serviceName });
  const log: Log = {
    info: (m, extra) => logger.info(m, extra ?? {}),
    warn: (m, extra) => logger.warn(m, extra ?? {}),
    error: (m, extra) => logger.error(m, extra ?? {}),
  };
  const sink: MetricsSink = {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    millis: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
  };
  const entry =
    <E, R>(core: (event: E) => Promise<R>) =>
    async (event: E, context?: Context): Promise<R> => {
      if (context) logger.addContext(context);
      try {
        return await core(event);
      } finally {
        metrics.publishStoredMetrics();
      }
    };
  return { logger, metrics, log, sink, entry };
}
