import { BYTES_PER_GIB, MONTH_SECONDS, Phase, SECONDS_PER_DAY, Service, sumUsd, type CostEstimate, type CostLine, type Prices } from './cost-units.ts';
import { mediaBytesPerSecond, type CostScenario } from './cost-scenario.ts';

/** The peer: Kinesis Video Streams for the same bitrate, retention and viewing (ingest, storage, HLS consumed, egress). */
export function kvsCost(s: CostScenario, p: Prices): CostEstimate {
  const bytesPerSecond = mediaBytesPerSecond(s.bitrateMbps);
  const ingestGib = (bytesPerSecond * MONTH_SECONDS) / BYTES_PER_GIB;
  const storedGibMonths = (bytesPerSecond * s.retentionDays * SECONDS_PER_DAY) / BYTES_PER_GIB;
  const viewedGib = (bytesPerSecond * s.viewingHoursPerMonth * 3600) / BYTES_PER_GIB;
  const k = p.kinesisVideoStreams;
  const lines: CostLine[] = [
    { service: Service.KVS, phase: Phase.RECORDING, item: 'data ingested', quantity: ingestGib, unit: 'GiB', usd: ingestGib * k.ingestPerGib },
    {
      service: Service.KVS,
      phase: Phase.STORAGE,
      item: 'data stored',
      quantity: storedGibMonths,
      unit: 'GiB-month',
      usd: storedGibMonths * k.storagePerGibMonth,
    },
    { service: Service.KVS, phase: Phase.VIEWING, item: 'HLS data consumed', quantity: viewedGib, unit: 'GiB', usd: viewedGib * k.hlsConsumedPerGib },
    {
      service: Service.DATA_TRANSFER,
      phase: Phase.VIEWING,
      item: 'HLS to viewers',
      quantity: viewedGib,
      unit: 'GiB',
      usd: viewedGib * p.dataTransfer.outToInternetPerGib,
    },
  ];
  return { lines, totalUsd: sumUsd(lines) };
}
