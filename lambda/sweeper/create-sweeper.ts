import { openShards } from '../../contract/index.ts';
import type { HistoryStore } from '../index/history-store.ts';
import type { PackJob } from '../packer/create-packer.ts';
import type { Clock } from '../shared/clock.ts';
import { noMetrics, silentLog, type Log, type MetricsSink } from '../shared/log.ts';

export interface SweeperDeps {
  history: HistoryStore;
  /** Starts one packer run (cloud: an asynchronous Lambda invoke; local: the packer in process). */
  dispatch(job: PackJob): Promise<void>;
  config: {
    /** How long a dispatched run holds its hour: longer than a run can take, so no sweep starts a second one. */
    leaseMs: number;
    /** Hours taken from one shard per sweep; the rest wait for the next sweep. @default 500 */
    maxPerShard?: number;
  };
  clock: Clock;
  log?: Log;
  metrics?: MetricsSink;
}

export interface SweepReport {
  due: number;
  dispatched: number;
  /** Due hours another run still holds. */
  held: number;
  failed: number;
}

/**
 * How hours to pack are found without a Scan. The indexer writes an hour item when a
 * camera's first segment of a pack hour arrives (and again for any segment a pack run may
 * not have seen), with the time its packing is due; while work is due the item carries the
 * keys of a sparse global secondary index (openShard, dueMs). Every few minutes the sweep
 * Queries each shard for `dueMs <= now`, takes each due hour with a conditional lease and
 * dispatches one packer run for it. A run that fails leaves the hour due: its lease runs
 * out and a later sweep dispatches it again. Work scales with hours due, not with cameras
 * or segments: 10,000 cameras close 10,000 hours an hour, a few per second.
 */
export function createSweeper(deps: SweeperDeps) {
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;
  const limit = deps.config.maxPerShard ?? 500;
  return {
    async sweep(): Promise<SweepReport> {
      const report: SweepReport = { due: 0, dispatched: 0, held: 0, failed: 0 };
      const nowMs = deps.clock.nowMs();
      const shards = await Promise.all(openShards().map((shard) => deps.history.dueHours(shard, nowMs, limit)));
      for (const job of shards.flat()) {
        report.due++;
        if (!(await deps.history.claimHour(job.deviceId, job.hourMs, nowMs, nowMs + deps.config.leaseMs))) {
          report.held++;
          continue;
        }
        try {
          await deps.dispatch({ deviceId: job.deviceId, hourMs: job.hourMs });
          report.dispatched++;
        } catch (e) {
          report.failed++;
          log.error('could not start a packer run; the hour is retried when its lease ends', { ...job, error: (e as Error).message });
        }
      }
      metrics.count('PackHoursDue', report.due);
      metrics.count('PackRunsDispatched', report.dispatched);
      return report;
    },
  };
}

export type Sweeper = ReturnType<typeof createSweeper>;
