import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Log, MetricsSink } from './log.ts';

/** Powertools logger and metrics for one function, plus the small interfaces the cores take. */
export function powertools(serviceName: string): { logger: Logger; metrics: Metrics; log: Log; sink: MetricsSink } {
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
  return { logger, metrics, log, sink };
}
